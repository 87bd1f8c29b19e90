/* control_parse_request(): the control socket's one-line requests, whole, in parts and broken. */
#include <string.h>

#include "check.h"
#include "control.h"

static int
parse(const char *text, size_t len, enum control_format *format)
{
	struct control_request req = { CONTROL_TEXT };
	const char *why = NULL;
	int r = control_parse_request(text, len, &req, &why);

	*format = req.format;
	if (r == -1 && (why == NULL || *why == '\0'))
		return -2; /* a refusal must say why */
	return r;
}

int
main(void)
{
	char big[CONTROL_REQUEST_MAX + 8];
	enum control_format f;

	CHECK_EQ(parse("status\n", 7, &f), 1);
	CHECK_EQ(f, CONTROL_TEXT);
	CHECK_EQ(parse("status json\n", 12, &f), 1);
	CHECK_EQ(f, CONTROL_JSON);
	CHECK_EQ(parse("status json\r\n", 13, &f), 1); /* from a telnet or nc -C */
	CHECK_EQ(f, CONTROL_JSON);
	/* what follows the line is not read */
	CHECK_EQ(parse("status\nstatus json\n", 19, &f), 1);
	CHECK_EQ(f, CONTROL_TEXT);

	/* in parts: more to read */
	CHECK_EQ(parse("", 0, &f), 0);
	CHECK_EQ(parse("sta", 3, &f), 0);
	CHECK_EQ(parse("status json", 11, &f), 0);

	/* not a request */
	CHECK_EQ(parse("\n", 1, &f), -1);
	CHECK_EQ(parse("status \n", 8, &f), -1);
	CHECK_EQ(parse(" status\n", 8, &f), -1);
	CHECK_EQ(parse("STATUS\n", 7, &f), -1);
	CHECK_EQ(parse("status jsonx\n", 13, &f), -1);
	CHECK_EQ(parse("stats\n", 6, &f), -1);
	CHECK_EQ(parse("GET / HTTP/1.0\r\n", 16, &f), -1);
	CHECK_EQ(parse("status\r\r\n", 9, &f), -1);
	/* a NUL byte, before the newline or before one came */
	CHECK_EQ(parse("stat\0us\n", 8, &f), -1);
	CHECK_EQ(parse("st\0", 3, &f), -1);

	/* the size bound: a line of CONTROL_REQUEST_MAX bytes without its newline is too long */
	memset(big, 'a', sizeof(big));
	CHECK_EQ(parse(big, CONTROL_REQUEST_MAX - 1, &f), 0);
	CHECK_EQ(parse(big, CONTROL_REQUEST_MAX, &f), -1);
	return check_summary();
}
