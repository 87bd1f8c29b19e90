/* The operator's subcommands: `mssclampd calc`, `mssclampd presets` and `mssclampd status`. */
#ifndef MSSCLAMPD_CLI_H
#define MSSCLAMPD_CLI_H

/* mssclampd calc --mtu 1500 --overhead pppoe+esp [--mss N]: prints the arithmetic and equivalent clamps. Exit status. */
int cli_calc(int argc, char **argv);

/* mssclampd presets: prints the overhead table. Exit status. */
int cli_presets(int argc, char **argv);

/* Exit statuses of `mssclampd status` besides 0 (answered), 1 (failed) and 2 (usage). */
#define CLI_STATUS_NOT_RUNNING 3     /* a socket, but nothing listens: as systemctl status */
#define CLI_STATUS_NO_SOCKET 4       /* no socket at the path */
#define CLI_STATUS_DENIED 5          /* the socket is not ours to use */

/* mssclampd status [--json] [--socket PATH]: the daemon's own status, over its control socket. Exit status. */
int cli_status(int argc, char **argv);

#endif
