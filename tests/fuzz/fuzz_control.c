/*
 * libFuzzer harness for the control socket's request parser, fed as a
 * client's bytes arrive: the first byte sets the size of each read (1 to
 * 16), the rest is what the client sends. It checks what control.c relies
 * on: a complete request was ended by a newline within the bound, an
 * incomplete one still fits, and every refusal says why.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char in[CONTROL_REQUEST_MAX];
	struct control_request req;
	size_t step, len = 0, i = 1, n;
	const char *why;
	int r = 0;

	if (size < 1)
		return 0;
	step = (size_t)(data[0] % 16) + 1;
	while (i < size && r == 0) {
		n = size - i < step ? size - i : step;
		if (n > sizeof(in) - len)
			n = sizeof(in) - len;
		memcpy(in + len, data + i, n); /* as control_read() does: never past its buffer */
		len += n;
		i += n;
		why = NULL;
		req.format = (enum control_format)-1;
		r = control_parse_request(in, len, &req, &why);
		if (r == 1 && (memchr(in, '\n', len) == NULL ||
			       (req.format != CONTROL_TEXT && req.format != CONTROL_JSON)))
			abort();
		if (r == 0 && (len >= sizeof(in) || memchr(in, '\n', len) != NULL))
			abort(); /* a full buffer or a whole line must be decided */
		if (r == -1 && (why == NULL || *why == '\0'))
			abort();
	}
	return 0;
}
