/* The operator's subcommands: `mssclampd calc` and `mssclampd presets`. */
#ifndef MSSCLAMPD_CLI_H
#define MSSCLAMPD_CLI_H

/* mssclampd calc --mtu 1500 --overhead pppoe+esp [--mss N]: prints the arithmetic and equivalent clamps. Exit status. */
int cli_calc(int argc, char **argv);

/* mssclampd presets: prints the overhead table. Exit status. */
int cli_presets(int argc, char **argv);

#endif
