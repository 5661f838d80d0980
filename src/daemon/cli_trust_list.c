/*
 * hostsd program — `hostsd trust list` and `hostsd trust log`: the
 * registry shown one line per host (or per attempt) for people and awk,
 * or as JSON for scripts. docs/hostsd.md documents both formats; keep
 * them in step. Text from the registry is printed only after it is made
 * printable, so a crafted row cannot drive the terminal.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon/cli.h"
#include "daemon/cli_trust.h"

const char hsd__help_trust_list[] =
	"Usage: hostsd trust list [--dir DIR] [--json]\n"
	"\n"
	"Show every host of the registry, sorted, one line each:\n"
	"\n"
	"  HOST-ID STATUS KEYS GRANTS LAST-LOGIN\n"
	"\n"
	"  STATUS      active (it can log in), revoked, or inactive (no key that\n"
	"              can log in: every key revoked or expired)\n"
	"  KEYS        its key fingerprints, separated by commas, each followed\n"
	"              by its state when not plainly valid: (expires:DATE),\n"
	"              (expired:DATE), (revoked) or (unusable); - if none\n"
	"  GRANTS      the subsystems it may run, separated by commas; * = all;\n"
	"              - if none\n"
	"  LAST-LOGIN  the last successful login (UTC, YYYY-MM-DDTHH:MM:SSZ), or\n"
	"              never\n"
	"\n"
	"No field holds a blank, so the first word of each line is the HOST-ID.\n"
	"\n"
	"Options:\n"
	"  --json                print a JSON array of hosts instead, with every\n"
	"                        detail (key types, comments, times; see\n"
	"                        docs/hostsd.md)\n" HSD_TRUST_DIR_HELP "  -h, --help            show this help\n";

const char hsd__help_trust_log[] =
	"Usage: hostsd trust log [--dir DIR] [HOST-ID] [--limit N] [--json]\n"
	"\n"
	"Show the newest authentication attempts the server logged, newest\n"
	"first, one line each (of HOST-ID only, when given):\n"
	"\n"
	"  TIME RESULT HOST-ID PEER FINGERPRINT REASON\n"
	"\n"
	"  TIME         UTC, YYYY-MM-DDTHH:MM:SSZ\n"
	"  RESULT       accepted or refused\n"
	"  HOST-ID      the host identity the peer gave (made printable)\n"
	"  PEER         its address, ADDR:PORT\n"
	"  FINGERPRINT  of the key it offered; - if none\n"
	"  REASON       why it was refused (may hold blanks; last on the line)\n"
	"\n"
	"Attempts with a user name that is no valid host id are not listed one\n"
	"by one: a line with HOST-ID ? counts those of one UTC day, with the\n"
	"time and peer of the last of them and the REASON\n"
	"  N attempts with invalid host ids since TIME\n"
	"\n"
	"The log keeps about the newest 100000 attempts of each kind: accepted,\n"
	"refused for a host of the registry, refused for an unknown host id (so\n"
	"strangers cannot push the attempts of known hosts out), and the counts\n"
	"of the last 400 days.\n"
	"\n"
	"Options:\n"
	"  --limit N             show at most N attempts (default 50)\n"
	"  --json                print a JSON array instead\n" HSD_TRUST_DIR_HELP
	"  -h, --help            show this help\n";

/* A JSON string: the text made printable, then escaped. */
static void json_string(const char *s)
{
	char clean[1024];
	hsd_text_sanitize(clean, sizeof clean, s != NULL ? s : "");
	putchar('"');
	for (const char *p = clean; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

static void json_time(int64_t t, int date_only)
{
	char buf[HSD_TIME_SIZE];
	if (t == 0) {
		fputs("null", stdout);
		return;
	}
	if (date_only)
		hsd_date_format(t, buf);
	else
		hsd_time_format(t, buf);
	printf("\"%s\"", buf);
}

static const char *state_name(enum hsd_key_state s)
{
	switch (s) {
	case HSD_KEY_VALID:
		return "valid";
	case HSD_KEY_REVOKED:
		return "revoked";
	case HSD_KEY_EXPIRED:
		return "expired";
	case HSD_KEY_UNUSABLE:
		return "unusable";
	}
	return "unusable";
}

static const char *host_status(const struct hsd_reg_host *h, int64_t now)
{
	if (h->revoked)
		return "revoked";
	for (size_t i = 0; i < h->nkeys; i++)
		if (hsd_reg_key_state(&h->keys[i], now) == HSD_KEY_VALID)
			return "active";
	return "inactive";
}

static void print_host_text(const struct hsd_reg_host *h, int64_t now)
{
	char shown[HSD_HOST_ID_MAX * 4 + 1], date[HSD_DATE_SIZE], when[HSD_TIME_SIZE];
	printf("%s %s ", hsd_cli_shown(h->host_id, shown, sizeof shown), host_status(h, now));
	for (size_t i = 0; i < h->nkeys; i++) {
		const struct hsd_reg_key *k = &h->keys[i];
		enum hsd_key_state st = hsd_reg_key_state(k, now);
		printf("%s%s", i ? "," : "", hsd_cli_shown(k->fingerprint, shown, sizeof shown));
		if (k->expires != 0)
			hsd_date_format(k->expires, date);
		if (st == HSD_KEY_VALID && k->expires != 0)
			printf("(expires:%s)", date);
		else if (st == HSD_KEY_EXPIRED)
			printf("(expired:%s)", date);
		else if (st != HSD_KEY_VALID)
			printf("(%s)", state_name(st));
	}
	if (h->nkeys == 0)
		putchar('-');
	putchar(' ');
	for (size_t i = 0; i < h->ngrants; i++)
		printf("%s%s", i ? "," : "", hsd_cli_shown(h->grants[i], shown, sizeof shown));
	if (h->ngrants == 0)
		putchar('-');
	if (h->last_login != 0) {
		hsd_time_format(h->last_login, when);
		printf(" %s\n", when);
	} else {
		printf(" never\n");
	}
}

static void print_host_json(const struct hsd_reg_host *h, int64_t now)
{
	fputs("  {\"host_id\": ", stdout);
	json_string(h->host_id);
	printf(", \"status\": \"%s\", \"revoked\": %s, \"revoked_at\": ", host_status(h, now),
	       h->revoked ? "true" : "false");
	json_time(h->revoked ? h->revoked_at : 0, 0);
	fputs(", \"created\": ", stdout);
	json_time(h->created, 0);
	fputs(",\n   \"keys\": [", stdout);
	for (size_t i = 0; i < h->nkeys; i++) {
		const struct hsd_reg_key *k = &h->keys[i];
		fputs(i ? ",\n     {" : "\n     {", stdout);
		fputs("\"fingerprint\": ", stdout);
		json_string(k->fingerprint);
		fputs(", \"type\": ", stdout);
		json_string(k->type);
		printf(", \"state\": \"%s\", \"added\": ", state_name(hsd_reg_key_state(k, now)));
		json_time(k->added, 0);
		fputs(", \"expires\": ", stdout);
		json_time(k->expires, 1);
		fputs(", \"revoked_at\": ", stdout);
		json_time(k->revoked ? k->revoked_at : 0, 0);
		fputs(", \"comment\": ", stdout);
		json_string(k->comment);
		putchar('}');
	}
	fputs("],\n   \"grants\": [", stdout);
	for (size_t i = 0; i < h->ngrants; i++) {
		if (i)
			fputs(", ", stdout);
		json_string(h->grants[i]);
	}
	fputs("],\n   \"last_login\": ", stdout);
	if (h->last_login == 0) {
		fputs("null", stdout);
	} else {
		fputs("{\"time\": ", stdout);
		json_time(h->last_login, 0);
		fputs(", \"peer\": ", stdout);
		json_string(h->last_login_peer);
		fputs(", \"fingerprint\": ", stdout);
		json_string(h->last_login_key);
		putchar('}');
	}
	putchar('}');
}

int hsd__trust_list(int argc, char **argv)
{
	const char *dir_opt;
	int json, help, r;
	struct hsd_opt opts[] = { { .name = "dir", .value = &dir_opt }, { .name = "json", .flag = &json } };
	char *pos[1], dir[HSD_PATH_MAX];
	size_t npos, n = 0;
	struct hsd_registry *reg = NULL;
	struct hsd_reg_host *hosts = NULL;
	static const char usage[] =
		"Usage: hostsd trust list [--dir DIR] [--json]\n"
		"Try 'hostsd trust list --help' for more information.\n";

	if ((r = hsd_cli_parse(argc, argv, opts, 2, pos, 0, &npos, &help, usage)) != 0)
		return r;
	if (help)
		return hsd_cli_help(hsd__help_trust_list);
	if ((r = hsd_cli_state_dir(dir_opt, dir, sizeof dir)) != 0 || (r = hsd_cli_open_registry(dir, &reg)) != 0)
		return r;
	if (hsd_registry_list(reg, &hosts, &n) != 0) {
		r = hsd_cli_fail("%s", hsd_registry_error(reg));
		hsd_registry_close(reg);
		return r;
	}
	hsd_registry_close(reg);
	int64_t now = (int64_t)time(NULL);
	if (json)
		fputs(n == 0 ? "[" : "[\n", stdout);
	for (size_t i = 0; i < n; i++) {
		if (json) {
			print_host_json(&hosts[i], now);
			fputs(i + 1 < n ? ",\n" : "\n", stdout);
		} else {
			print_host_text(&hosts[i], now);
		}
	}
	if (json)
		fputs("]\n", stdout);
	hsd_reg_hosts_free(hosts, n);
	return hsd_cli_finish(HSD_EXIT_OK);
}

/* s as one word: blanks become '?', an empty s becomes empty_as. */
static void word(char *out, size_t outlen, const char *s, const char *empty_as)
{
	snprintf(out, outlen, "%s", s[0] != '\0' ? s : empty_as);
	for (char *p = out; *p != '\0'; p++)
		if (*p == ' ' || *p == '\t')
			*p = '?';
}

/* A day's count of attempts with invalid host ids, as one line or one
 * JSON object: the time and peer of the last, the count and the first's
 * time. */
static void print_count(const struct hsd_reg_event *e, const char *when, int json, int more)
{
	char since[HSD_TIME_SIZE], peer[HSD_PEER_MAX + 1];
	hsd_time_format(e->since, since);
	if (json) {
		printf("  {\"time\": \"%s\", \"result\": \"refused\", \"host_id\": null, \"peer\": ", when);
		json_string(e->peer);
		printf(", \"fingerprint\": null, \"reason\": \"invalid host id\", \"attempts\": %llu, \"since\": "
		       "\"%s\"}%s\n",
		       (unsigned long long)e->attempts, since, more ? "," : "");
		return;
	}
	word(peer, sizeof peer, e->peer, "?");
	printf("%s refused ? %s - %llu attempts with invalid host ids since %s\n", when, peer,
	       (unsigned long long)e->attempts, since);
}

int hsd__trust_log(int argc, char **argv)
{
	const char *dir_opt, *limit_opt;
	int json, help, r;
	struct hsd_opt opts[] = { { .name = "dir", .value = &dir_opt },
		                  { .name = "limit", .value = &limit_opt },
		                  { .name = "json", .flag = &json } };
	char *pos[1], dir[HSD_PATH_MAX], when[HSD_TIME_SIZE], shown[96];
	size_t npos, n = 0, limit = 50;
	struct hsd_registry *reg = NULL;
	struct hsd_reg_event *ev = NULL;
	static const char usage[] =
		"Usage: hostsd trust log [--dir DIR] [HOST-ID] [--limit N] [--json]\n"
		"Try 'hostsd trust log --help' for more information.\n";

	if ((r = hsd_cli_parse(argc, argv, opts, 3, pos, 1, &npos, &help, usage)) != 0)
		return r;
	if (help)
		return hsd_cli_help(hsd__help_trust_log);
	if (limit_opt != NULL) {
		char *end;
		errno = 0;
		unsigned long v = strtoul(limit_opt, &end, 10);
		if (limit_opt[0] < '0' || limit_opt[0] > '9' || *end != '\0' || errno != 0 || v == 0 ||
		    v > HSD_AUTH_LOG_READ_MAX)
			return hsd_cli_usage(usage, "--limit \"%s\" must be a number from 1 to %d",
			                     hsd_cli_shown(limit_opt, shown, sizeof shown), HSD_AUTH_LOG_READ_MAX);
		limit = (size_t)v;
	}
	if (npos == 1 && !hsd_host_id_valid(pos[0]))
		return hsd_cli_usage(usage, "invalid host identity \"%s\": use %s",
		                     hsd_cli_shown(pos[0], shown, sizeof shown), HSD_HOST_ID_RULE);
	if ((r = hsd_cli_state_dir(dir_opt, dir, sizeof dir)) != 0 || (r = hsd_cli_open_registry(dir, &reg)) != 0)
		return r;
	if (hsd_registry_read_log(reg, npos == 1 ? pos[0] : NULL, limit, &ev, &n) != 0) {
		r = hsd_cli_fail("%s", hsd_registry_error(reg));
		hsd_registry_close(reg);
		return r;
	}
	hsd_registry_close(reg);
	if (json)
		fputs(n == 0 ? "[" : "[\n", stdout);
	for (size_t i = 0; i < n; i++) {
		const struct hsd_reg_event *e = &ev[i];
		hsd_time_format(e->time, when);
		if (e->attempts > 0) {
			print_count(e, when, json, i + 1 < n);
			continue;
		}
		if (json) {
			printf("  {\"time\": \"%s\", \"result\": \"%s\", \"host_id\": ", when,
			       e->accepted ? "accepted" : "refused");
			json_string(e->host_id);
			fputs(", \"peer\": ", stdout);
			json_string(e->peer);
			fputs(", \"fingerprint\": ", stdout);
			if (e->fingerprint[0] != '\0')
				json_string(e->fingerprint);
			else
				fputs("null", stdout);
			fputs(", \"reason\": ", stdout);
			json_string(e->reason);
			fputs(i + 1 < n ? "},\n" : "}\n", stdout);
		} else {
			/* Stored text is printable ASCII already (registry_auth.c);
			 * a blank in the first fields would shift the columns. */
			char host[HSD_HOST_ID_MAX + 1], peer[HSD_PEER_MAX + 1], fp[HS_FINGERPRINT_SIZE];
			word(host, sizeof host, e->host_id, "?");
			word(peer, sizeof peer, e->peer, "?");
			word(fp, sizeof fp, e->fingerprint, "-");
			printf("%s %s %s %s %s %s\n", when, e->accepted ? "accepted" : "refused", host, peer, fp,
			       e->reason);
		}
	}
	if (json)
		fputs("]\n", stdout);
	hsd_reg_events_free(ev);
	return hsd_cli_finish(HSD_EXIT_OK);
}
