/*
 * Whole server connections fed arbitrary client bytes through the I/O-free
 * core. The bits of the first input byte pick:
 *   1: start past the first key exchange (fuzzing build only), so that
 *      authentication and channels are reached too; else from the
 *      identification exchange;
 *   2: the application answers begin_auth, validate_public_key and the
 *      shell, exec and subsystem requests later (HS_PENDING, then
 *      hs_conn_answer or hs_channel_answer), so the resumption paths run;
 *   4: finite-field key exchanges are handed out as jobs (io->compute)
 *      and completed between inputs, as the I/O layer does.
 * The application accepts what it is asked, to reach every path (a user
 * name, command or subsystem starting with 'x' is refused when answered
 * later, to reach the refusals after a resumption too).
 */
#include <stdlib.h>
#include <string.h>

#include "core/conn_priv.h"

static struct hs_hostkey *hostkey;
static struct hs_core_config cfg;

/* What the I/O layer and the application hold between inputs. */
struct fuzz_io {
	int pending;           /* answer callbacks later */
	int answer_due;        /* a callback answered HS_PENDING */
	int answer;            /* what to answer then */
	struct hs_channel *ch; /* the channel whose request waits, if it is one */
	struct hs_dh_job *job; /* handed out by io->compute */
};

static struct fuzz_io io_state;

static int begin_auth(struct hs_conn *c, const char *u)
{
	int need = u[0] == 'n' ? HS_AUTH_NOT_NEEDED : HS_AUTH_REQUIRED;
	if (!io_state.pending)
		return need;
	io_state.answer_due = 1;
	io_state.answer = need;
	io_state.ch = NULL;
	return HS_AUTH_PENDING;
}

static int validate(struct hs_conn *c, const char *u, const struct hs_key *k)
{
	if (!io_state.pending)
		return HS_YES;
	io_state.answer_due = 1;
	io_state.answer = u[0] == 'x' ? HS_NO : HS_YES;
	io_state.ch = NULL;
	return HS_PENDING;
}

/* A shell, exec or subsystem request: accepted at once, or answered later
 * (refused when its argument starts with 'x'). */
static int start(struct hs_channel *ch, const char *arg)
{
	if (!io_state.pending)
		return HS_YES;
	io_state.answer_due = 1;
	io_state.answer = arg[0] == 'x' ? HS_NO : HS_YES;
	io_state.ch = ch;
	return HS_PENDING;
}

static void io_kick(void *ctx)
{
}

static void io_compute(void *ctx, struct hs_dh_job *job)
{
	struct fuzz_io *io = ctx;
	if (io->job != NULL) /* the core asks once per exchange */
		abort();
	io->job = job;
}

static const struct hs_io_ops io_ops = { io_kick, NULL, io_compute };

/* What happened off the loop between two inputs: the application's
 * answer, the computation's end. Non-zero: the connection is over. */
static int settle(struct hs_conn *conn)
{
	if (io_state.answer_due) {
		/* the channel is still there: the connection read nothing since */
		struct hs_channel *ch = io_state.ch;
		io_state.answer_due = 0;
		io_state.ch = NULL;
		if ((ch != NULL ? hs_channel_answer(ch, io_state.answer) : hs_conn_answer(conn, io_state.answer)) !=
		            0 ||
		    hs__conn_resume(conn) != 0)
			return 1;
	}
	if (io_state.job != NULL) {
		struct hs_dh_job *job = io_state.job;
		io_state.job = NULL;
		hs__dh_job_run(job);
		if (hs__conn_compute_done(conn, job) != 0)
			return 1;
	}
	return 0;
}
static int yes_pty(struct hs_channel *ch, const struct hs_pty_request *p)
{
	return HS_YES;
}
static int yes_env(struct hs_channel *ch, const char *n, const char *v)
{
	return HS_YES;
}
static int yes_shell(struct hs_channel *ch)
{
	return start(ch, "");
}
static int yes_exec(struct hs_channel *ch, const char *c)
{
	return start(ch, c);
}
static int yes_subsystem(struct hs_channel *ch, const char *n)
{
	return start(ch, n);
}
static int yes_break(struct hs_channel *ch, uint32_t ms)
{
	return HS_YES;
}

static void echo(struct hs_channel *ch, const uint8_t *d, size_t n, enum hs_stream s)
{
	size_t done;
	if (hs_channel_write(ch, d, n, s, &done) != 0 || done < n)
		hs_channel_pause_reading(ch);
	if (n > 0 && d[0] == 'E' && hs_channel_write_eof(ch) == 0 && hs_channel_exit_status(ch, 3) == 0)
		(void)hs_channel_close(ch);
	if (n > 0 && d[0] == 'R')
		hs_channel_resume_reading(ch);
}

static void eof(struct hs_channel *ch)
{
	if (hs_channel_exit_signal(ch, "TERM", 0, "bye") == 0)
		(void)hs_channel_close(ch);
}

static const struct hs_session_cb session = {
	.pty_requested = yes_pty,
	.env_requested = yes_env,
	.shell_requested = yes_shell,
	.exec_requested = yes_exec,
	.subsystem_requested = yes_subsystem,
	.data_received = echo,
	.eof_received = eof,
	.break_received = yes_break,
};

static int open_session(struct hs_conn *c, struct hs_channel *ch, struct hs_channel_open *o)
{
	o->callbacks = &session;
	return HS_YES;
}

static int forward(struct hs_conn *c, const char *a, uint32_t p, uint32_t *bound)
{
	*bound = 4242;
	return HS_YES;
}

static const struct hs_server_cb server = {
	.begin_auth = begin_auth,
	.validate_public_key = validate,
	.session_requested = open_session,
	.connection_requested = open_session,
	.server_requested = forward,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (hostkey == NULL) {
		if (hs_hostkey_generate(HS_KEY_ED25519, &hostkey) != 0 ||
		    hs__core_config_resolve(NULL, &cfg, NULL, 0) != 0)
			abort();
		cfg.max_channels = 4;
	}
	if (size < 1)
		return 0;
	memset(&io_state, 0, sizeof io_state);
	io_state.pending = (data[0] & 2) != 0;
	const struct hs_io_ops *ops = (data[0] & 4) ? &io_ops : NULL;
	struct hs_conn *conn = hs__conn_new(&cfg, hostkey, &server, NULL, ops, &io_state, "fuzz", 0);
	if (conn == NULL)
		return 0;
	if (hs__conn_start(conn) != 0)
		goto out;
	if (data[0] & 1)
		hs__conn_fuzz_skip_kex(conn);
	/* feed in uneven chunks so that resumption between reads is exercised */
	size_t pos = 1;
	uint64_t now = 0;
	while (pos < size) {
		size_t chunk = 1 + (data[pos - 1] % 61) * 17;
		if (chunk > size - pos)
			chunk = size - pos;
		if (hs__conn_feed(conn, data + pos, chunk) != 0)
			break;
		pos += chunk;
		if (settle(conn) != 0)
			break;
		if (hs__conn_output_consume(conn, hs__conn_output_len(conn)) != 0)
			abort(); /* the whole of what is ready can always be taken */
		hs__conn_output_drained(conn);
		now += 1000;
		if (hs__conn_tick(conn, now) != 0)
			break;
	}
out:
	hs__conn_free(conn);
	hs__dh_job_free(io_state.job); /* a job whose connection is gone */
	io_state.job = NULL;
	return 0;
}
