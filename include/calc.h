/* The operator's subcommands: `mssclampd calc` and `mssclampd presets`. */
#ifndef MSSCLAMPD_CALC_H
#define MSSCLAMPD_CALC_H

/* mssclampd calc --mtu 1500 --overhead pppoe+esp [--mss N]: prints the arithmetic and equivalent clamps. Exit status. */
int calc_main(int argc, char **argv);

/* mssclampd presets: prints the overhead table. Exit status. */
int presets_main(int argc, char **argv);

#endif
