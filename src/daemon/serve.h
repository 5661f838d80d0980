/*
 * hostsd program — `hostsd serve`: the hosts server. Peer hosts log in with
 * their host identity as the user name and a key the trust registry holds
 * for them; they may open sessions only for subsystems granted to them,
 * each run as a child process.
 */
#ifndef HSD_SERVE_H
#define HSD_SERVE_H

/* The `serve` subcommand. argv[0] is the subcommand's name ("serve"),
 * options follow. Runs until SIGTERM/SIGINT; returns the process exit
 * code: 0 after a graceful stop, 1 when it cannot start or run, 2 on a
 * usage error. */
int hsd_cmd_serve(int argc, char **argv);

#endif
