/* s2q-route - prove, address by address, that the converted qmail tree routes mail as sendmail did */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../convert/lib/model/host.h"
#include "../convert/lib/parse/passwd.h"
#include "../convert/lib/parse/sendmailcf.h"
#include "../convert/lib/resolve/prove.h"
#include "../convert/lib/resolve/qres.h"
#include "../convert/lib/resolve/share.h"
#include "../convert/lib/resolve/smres.h"
#include "../convert/lib/util/aw.h"
#include "../convert/lib/util/buf.h"
#include "../convert/lib/util/diag.h"
#include "../convert/lib/util/mfile.h"
#include "../convert/lib/util/sroot.h"
#include "../convert/prog.h"

static const char usage[] =
	"--sendmail SENDMAIL_ROOT --qmail OUTROOT [--hostname FQDN] [-C CF]\n"
	"        [--passwd FILE] [--qmailhome DIR] [--default-delivery LINE] [--known FILE]...\n"
	"        [--via smtp|local] [--jobs N] [--each-domain] [--json] [--trace]\n"
	"        (--all | ADDRESS...)";

static void oom(void)
{
	errno = ENOMEM;
	prog_fatal_sys(S2Q_EXIT_TEMP, "out of memory");
}

/* a file named on the command line or in the cf that cannot be read */
static int input_code(int e)
{
	if (e == EXDEV || e == EINVAL || e == ENOENT || e == ENOTDIR || e == ELOOP ||
	    e == ENAMETOOLONG)
		return S2Q_EXIT_PERM;
	return S2Q_EXIT_TEMP;
}

static void load_known(struct prove_known *k, const char *path)
{
	struct mfile m;
	const char *why;
	unsigned long line;
	int fd = open(path, O_RDONLY | O_CLOEXEC), r;

	if (fd < 0)
		prog_fatal_sys(input_code(errno), "unable to open %s", path);
	memset(&m, 0, sizeof(m));
	if (mfile_fd(&m, fd, NULL) < 0)
		prog_fatal_sys(input_code(errno), "unable to read %s", path);
	close(fd);
	r = prove_known_read(k, m.p, m.len, &why, &line);
	mfile_close(&m);
	if (r < 0)
		oom();
	if (r == 0) {
		fprintf(stderr, "%s: fatal: %s:%lu: not a converter's --json output: %s\n", prog_name,
			path, line, why);
		exit(S2Q_EXIT_PERM);
	}
}

/* the uid-0 accounts of the old host's passwd (S2Q-R304); an unreadable file: none */
static void read_uid0(int rootfd, const char *passwd, struct hset *uid0)
{
	struct passwd_parser p;
	struct passwd_ent e;
	struct diag_sink scratch;
	int fd = sroot_open(rootfd, passwd, NULL), r;

	if (fd < 0) {
		if (errno == ENOMEM)
			oom();
		return;
	}
	diag_init(&scratch);
	if (passwd_fdopen(&p, fd, passwd, &scratch) < 0)
		oom();
	while ((r = passwd_next(&p, &e)) > 0)
		if (e.uid == 0 && hset_put(uid0, e.name.s, e.name.len, 0, NULL) < 0)
			oom();
	if (r < 0 && errno == ENOMEM)
		oom();
	passwd_close(&p);
	close(fd);
	diag_free(&scratch);
}

/* each line of t, indented, prefixed */
static void indent(buf *out, const char *who, const buf *t)
{
	size_t i = 0;

	while (i < t->len) {
		const char *e = memchr(t->s + i, '\n', t->len - i);
		size_t n = e ? (size_t)(e - (t->s + i)) : t->len - i;

		if (buf_printf(out, "  %s: ", who) < 0 || buf_append(out, t->s + i, n) < 0 ||
		    buf_append_c(out, '\n') < 0)
			oom();
		i += n + 1;
	}
}

static void flush(buf *out, int force)
{
	if (out->len && (force || out->len > 65536)) {
		prog_write_stdout(out);
		buf_reset(out);
	}
}

/* ---------------------------------------------------------------- proving, in ranges */

/* what every address is proved with; the resolvers are read-only during the loop */
struct rctx {
	struct smres *sr;
	struct qres *q;
	const struct prove_known *known;
	const struct hset *uid0;
	int json, trace;
	int share;		/* answers at plain local domains are shared by local part */
};

/* addresses are proved in chunks (chunk c goes to worker c % jobs): about eight per
   worker, between these sizes, so that small runs interleave too */
#define ROUTE_CHUNK_MIN 64
#define ROUTE_CHUNK 4096
/* below this many addresses one process does it all (a fork costs more) */
#define ROUTE_PAR_MIN 20000
#define ROUTE_JOBS_MAX 16

static void compare(const struct rctx *c, const char *addr, int via, const struct dlv_set *sm,
		    const struct dlv_set *qm, const struct smres_used *used,
		    struct prove_result *res)
{
	struct prove_cmp_opts o;

	o.via = via;
	o.uid0 = c->uid0;
	o.address = addr;
	o.loop_user = used->loop_user;
	o.deep_hidden = used->deep_hidden;
	if (prove_compare(sm, qm, &o, res) < 0)
		oom();
	if (res->verdict != PROVE_SAME && prove_known_match(c->known, used->v, used->n, res) < 0)
		oom();
}

/* prove one address; its line (or JSON object) is appended to out */
static void route_one(const struct rctx *c, const char *addr, int via, int first, buf *out,
		      struct prove_summary *sum, buf *st, buf *qt, struct prove_result *res,
		      struct share *sh)
{
	struct share_answer a;

	buf_reset(st);
	buf_reset(qt);
	if (share_resolve(sh, c->sr, c->q, addr, via == PROVE_VIA_SMTP, c->trace ? st : NULL,
			  c->trace ? qt : NULL, &a) < 0)
		oom();
	compare(c, addr, via, a.sm, a.qm, a.used, res);
	prove_count(sum, res);
	if (c->json) {
		if ((!first && buf_append_s(out, ",\n") < 0) ||
		    prove_json(out, addr, via, res, a.sm, a.qm, a.used->v, a.used->n) < 0)
			oom();
		if (c->trace) {
			out->len--;	/* the closing brace */
			if (buf_append_s(out, ",\"trace\":{\"sendmail\":") < 0 ||
			    json_str(out, st->s ? st->s : "", st->len) < 0 ||
			    buf_append_s(out, ",\"qmail\":") < 0 ||
			    json_str(out, qt->s ? qt->s : "", qt->len) < 0 ||
			    buf_append_s(out, "}}") < 0)
				oom();
		}
	} else {
		if (prove_format(out, addr, via, res, a.sm, a.qm) < 0)
			oom();
		if (c->trace) {
			size_t k;

			for (k = 0; k < a.used->n; k++)
				if (a.used->v[k].file &&
				    buf_printf(out, "  source: %s:%lu\n", a.used->v[k].file,
					       a.used->v[k].line) < 0)
					oom();
			indent(out, "sendmail", st);
			indent(out, "qmail", qt);
		}
	}
}

/*
 * Prove the addresses of chunks k, k + jobs, k + 2 jobs, ... (of chunk
 * addresses, in selection order).  wfd < 0: the output goes to standard output as it
 * grows.  wfd >= 0 (a worker): each chunk's output is sent down wfd as one frame, an
 * 8-byte length and the bytes, and the counts follow as a last frame (length
 * UINT64_MAX, then the summary).
 */
static void run_range(const struct rctx *c, const struct prove_addrs *a, long k, long jobs,
		      size_t chunk, buf *out, struct prove_summary *sum, int wfd)
{
	struct prove_result res;
	struct share sh;
	buf st = BUF_INIT, qt = BUF_INIT;
	size_t pos = 0, idx = 0;
	const char *addr;
	int via;

	prove_result_init(&res);
	share_init(&sh, c->share);
	while (prove_addrs_next(a, &pos, &addr, &via)) {
		size_t ci = idx / chunk;

		if (ci % (size_t)jobs == (size_t)k) {
			route_one(c, addr, via, idx == 0, out, sum, &st, &qt, &res, &sh);
			if (wfd < 0) {
				flush(out, 0);
			} else if ((idx + 1) % chunk == 0 || idx + 1 == a->n) {
				uint64_t n = out->len;

				if (write_all(wfd, &n, sizeof(n)) < 0 ||
				    write_all(wfd, out->s, out->len) < 0)
					_exit(S2Q_EXIT_TEMP);
				buf_reset(out);
			}
		}
		idx++;
	}
	if (wfd >= 0) {
		uint64_t n = UINT64_MAX;

		if (write_all(wfd, &n, sizeof(n)) < 0 || write_all(wfd, sum, sizeof(*sum)) < 0)
			_exit(S2Q_EXIT_TEMP);
	}
	prove_result_free(&res);
	share_free(&sh);
	buf_free(&st);
	buf_free(&qt);
}

static long default_jobs(size_t naddrs)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (naddrs < ROUTE_PAR_MIN || n < 2)
		return 1;
	return n > ROUTE_JOBS_MAX ? ROUTE_JOBS_MAX : n;
}

/* read exactly n bytes; 0 at a clean end of file before the first byte */
static int read_full(int fd, void *p, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, (char *)p + got, n - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return got == 0 && r == 0 ? 0 : -1;
		got += (size_t)r;
	}
	return 1;
}

/*
 * jobs worker processes prove the addresses; this process writes their chunks to
 * standard output in selection order, so the output is byte for byte that of one
 * process.  A worker that fails (out of memory) fails the run with its code.
 */
static void run_jobs(const struct rctx *c, const struct prove_addrs *a, long jobs, buf *out,
		     struct prove_summary *sum)
{
	pid_t pid[ROUTE_JOBS_MAX];
	int rfd[ROUTE_JOBS_MAX];
	size_t chunk = a->n / ((size_t)jobs * 8), nchunks, ci;
	long k, j;
	int bad = 0, status, code = 0;

	if (chunk < ROUTE_CHUNK_MIN)
		chunk = ROUTE_CHUNK_MIN;
	if (chunk > ROUTE_CHUNK)
		chunk = ROUTE_CHUNK;
	nchunks = (a->n + chunk - 1) / chunk;
	flush(out, 1);
	fflush(stdout);
	fflush(stderr);
	for (k = 0; k < jobs; k++) {
		int p[2];

		if (pipe(p) < 0)
			prog_fatal_sys(S2Q_EXIT_TEMP, "unable to create a pipe");
#ifdef F_SETPIPE_SZ
		(void)fcntl(p[1], F_SETPIPE_SZ, 1 << 20);	/* fewer stalls; a refusal is harmless */
#endif
		pid[k] = fork();
		if (pid[k] < 0)
			prog_fatal_sys(S2Q_EXIT_TEMP, "unable to start a worker");
		if (pid[k] == 0) {
			struct prove_summary ws;

			for (j = 0; j < k; j++)
				close(rfd[j]);
			close(p[0]);
			memset(&ws, 0, sizeof(ws));
			run_range(c, a, k, jobs, chunk, out, &ws, p[1]);
			_exit(close(p[1]) < 0 ? S2Q_EXIT_TEMP : S2Q_EXIT_OK);
		}
		close(p[1]);
		rfd[k] = p[0];
	}
	for (ci = 0; ci < nchunks && !bad; ci++) {
		uint64_t n;

		if (read_full(rfd[ci % (size_t)jobs], &n, sizeof(n)) != 1 || n == UINT64_MAX ||
		    buf_ready(out, (size_t)n) < 0) {
			bad = 1;
			break;
		}
		if (read_full(rfd[ci % (size_t)jobs], out->s, (size_t)n) != 1) {
			bad = 1;
			break;
		}
		out->len = (size_t)n;
		flush(out, 1);
	}
	for (k = 0; k < jobs && !bad; k++) {
		struct prove_summary ws;
		uint64_t n;

		if (read_full(rfd[k], &n, sizeof(n)) != 1 || n != UINT64_MAX ||
		    read_full(rfd[k], &ws, sizeof(ws)) != 1) {
			bad = 1;
			break;
		}
		sum->same += ws.same;
		sum->different += ws.different;
		sum->only_sendmail += ws.only_sendmail;
		sum->only_qmail += ws.only_qmail;
		sum->known += ws.known;
		sum->unexplained += ws.unexplained;
		sum->total += ws.total;
	}
	/* a failure: the other workers are stopped now, not at their next write */
	for (k = 0; k < jobs && bad; k++)
		(void)kill(pid[k], SIGTERM);
	for (k = 0; k < jobs; k++)
		close(rfd[k]);
	for (k = 0; k < jobs; k++) {
		while (waitpid(pid[k], &status, 0) < 0)
			if (errno != EINTR)
				prog_fatal_sys(S2Q_EXIT_TEMP, "unable to wait for a worker");
		if (WIFEXITED(status) && WEXITSTATUS(status) != 0 && code == 0) {
			code = WEXITSTATUS(status);	/* the worker said why (out of memory) */
			bad = 1;
			for (j = k + 1; j < jobs; j++)
				(void)kill(pid[j], SIGTERM);
		}
		if (!WIFEXITED(status))
			bad = 1;
	}
	if (code)
		exit(code);
	if (bad) {
		fprintf(stderr, "%s: fatal: a worker process failed\n", prog_name);
		exit(S2Q_EXIT_TEMP);
	}
}

int main(int argc, char **argv)
{
	const char *smroot = NULL, *qroot = NULL, *hostname = NULL, *cfarg = "/etc/mail/sendmail.cf";
	const char *passwd = "/etc/passwd", *qmailhome = NULL, *defdel = NULL;
	int json = 0, trace = 0, all = 0, share = 1, rootfd, qfd, i, e, via_force = -1;
	long jobs = 0;
	struct rctx rc;
	struct prove_known known;
	struct prove_addrs addrs;
	struct prove_summary sum;
	struct diag_sink d;
	struct host h;
	struct cf_opts co;
	struct smres_opts so;
	struct smres sr;
	struct qres_opts qo;
	struct qres q;
	struct prove_sel_opts po;
	struct hset uid0;
	buf cf = BUF_INIT, out = BUF_INIT, qpw = BUF_INIT, real = BUF_INIT;
	int via, fd;

	prog_name = "s2q-route";
	prove_known_init(&known);
	prove_addrs_init(&addrs);
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		int v = i + 1 < argc;

		if (strcmp(a, "--json") == 0)
			json = 1;
		else if (strcmp(a, "--trace") == 0)
			trace = 1;
		else if (strcmp(a, "--all") == 0)
			all = 1;
		else if (strcmp(a, "--each-domain") == 0)
			share = 0;
		else if (v && strcmp(a, "--sendmail") == 0)
			smroot = argv[++i];
		else if (v && strcmp(a, "--qmail") == 0)
			qroot = argv[++i];
		else if (v && strcmp(a, "--hostname") == 0)
			hostname = argv[++i];
		else if (v && strcmp(a, "-C") == 0)
			cfarg = argv[++i];
		else if (v && strcmp(a, "--passwd") == 0)
			passwd = argv[++i];
		else if (v && strcmp(a, "--qmailhome") == 0)
			qmailhome = argv[++i];
		else if (v && strcmp(a, "--jobs") == 0) {
			char *end;

			errno = 0;
			jobs = strtol(argv[++i], &end, 10);
			if (errno || end == argv[i] || *end || jobs < 1 || jobs > ROUTE_JOBS_MAX)
				prog_usage(usage);
		} else if (v && strcmp(a, "--default-delivery") == 0)
			defdel = argv[++i];
		else if (v && strcmp(a, "--via") == 0) {
			i++;
			if (strcmp(argv[i], "smtp") == 0)
				via_force = PROVE_VIA_SMTP;
			else if (strcmp(argv[i], "local") == 0)
				via_force = PROVE_VIA_LOCAL;
			else
				prog_usage(usage);
		} else if (v && strcmp(a, "--known") == 0)
			load_known(&known, argv[++i]);
		else if (strcmp(a, "--") == 0) {
			i++;
			break;
		} else if (a[0] == '-' && a[1])
			prog_usage(usage);
		else
			break;
	}
	if (smroot == NULL || qroot == NULL || (all && i < argc) || (!all && i >= argc) ||
	    (all && via_force >= 0))
		prog_usage(usage);
	if (hostname && (hostname[0] == '\0' || strchr(hostname, '/') || strchr(hostname, ' ')))
		prog_usage(usage);
	if (qmailhome && qmailhome[0] != '/')
		prog_usage(usage);
	for (; i < argc; i++) {
		size_t k, n = strlen(argv[i]);

		if (n == 0 || n > PROVE_ADDR_MAX)
			prog_usage(usage);
		for (k = 0; k < n; k++)
			if ((unsigned char)argv[i][k] < 0x20 || argv[i][k] == 0x7f)
				prog_usage(usage);
		via = via_force >= 0 ? via_force : prove_via_for(argv[i]);
		if (prove_addrs_add(&addrs, argv[i], n, via) < 0)
			oom();
	}
	if ((cfarg[0] != '/' && buf_append_c(&cf, '/') < 0) || buf_append_s(&cf, cfarg) < 0 ||
	    buf_cstr(&cf) == NULL)
		oom();
	rootfd = open(smroot, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		prog_fatal_sys(input_code(errno), "unable to open the sendmail root %s", smroot);
	qfd = open(qroot, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (qfd < 0)
		prog_fatal_sys(input_code(errno), "unable to open the qmail tree %s", qroot);

	/* the old host: its cf, then the sendmail-side resolver over the same root */
	diag_init(&d);
	host_init(&h);
	memset(&co, 0, sizeof(co));
	co.rootfd = rootfd;
	co.hostname = hostname;
	if (cf_load(&h, cf.s, &co, &d) < 0) {
		e = errno;
		prog_print_diags(&d);
		if (e == ENOMEM)
			oom();
		fprintf(stderr, "%s: fatal: unable to read %s in %s: %s\n", prog_name, cf.s, smroot,
			sroot_errstr(e));
		host_free(&h);
		diag_free(&d);
		prove_known_free(&known);
		prove_addrs_free(&addrs);
		buf_free(&cf);
		close(rootfd);
		close(qfd);
		return input_code(e);
	}
	smres_opts_init(&so);
	so.rootfd = rootfd;
	so.root = smroot;
	so.passwd = passwd;
	if (smres_open(&sr, &h, &so, &d) < 0) {
		e = errno;
		prog_print_diags(&d);
		errno = e;
		prog_fatal_sys(input_code(e), "unable to load the sendmail files of %s", smroot);
	}

	/* the new host: qmail-getpw reads the OLD host's passwd (the accounts move along) */
	qres_opts_init(&qo);
	if (qmailhome)
		qo.qmailhome = qmailhome;
	if (defdel)
		qo.default_delivery = defdel;
	fd = sroot_open(rootfd, passwd, &real);
	if (fd >= 0) {
		close(fd);
		if (buf_printf(&qpw, "%s%s", smroot, real.s) < 0 || buf_cstr(&qpw) == NULL)
			oom();
		qo.passwd = qpw.s;
	} else if (errno == ENOMEM) {
		oom();
	} else if (diag_add(&d, DIAG_WARN, "S2Q-R311", passwd, 0, "the old host's passwd cannot "
			    "be read (%s): qmail-getpw is modelled without accounts",
			    sroot_errstr(errno)) < 0) {
		oom();
	}
	if (qres_open(&q, qroot, &qo, &d) < 0)
		prog_fatal_sys(input_code(errno), "unable to open the qmail tree %s", qroot);

	hset_init(&uid0);
	read_uid0(rootfd, passwd, &uid0);
	if (all) {
		memset(&po, 0, sizeof(po));
		po.rootfd = rootfd;
		po.root = smroot;
		po.passwd = passwd;
		po.qmailfd = qfd;
		po.qmailhome = qo.qmailhome;
		po.aliases = smres_aliases(&sr);
		po.vt = smres_vtab(&sr);
		if (prove_select(&addrs, &h, &po, &d) < 0)
			oom();
	}
	if (d.oom)
		oom();
	if (prove_addrs_seal(&addrs) < 0)	/* each address once */
		oom();
	prog_print_diags(&d);

	memset(&sum, 0, sizeof(sum));
	if (json && buf_append_s(&out, "{\"program\":\"s2q-route\",\"results\":[\n") < 0)
		oom();
	rc.sr = &sr;
	rc.q = &q;
	rc.known = &known;
	rc.uid0 = &uid0;
	rc.json = json;
	rc.trace = trace;
	rc.share = share;
	if (jobs == 0)
		jobs = default_jobs(addrs.n);
	if (jobs > 1)
		run_jobs(&rc, &addrs, jobs, &out, &sum);
	else
		run_range(&rc, &addrs, 0, 1, ROUTE_CHUNK, &out, &sum, -1);
	if (json) {
		if (buf_append_s(&out, "\n],\"summary\":") < 0 || prove_json_summary(&out, &sum) < 0 ||
		    buf_append_s(&out, ",\"diagnostics\":") < 0 || prog_json_diags(&out, &d) < 0 ||
		    buf_append_s(&out, "}\n") < 0)
			oom();
	} else if (prove_format_summary(&out, &sum) < 0) {
		oom();
	}
	flush(&out, 1);
	qres_close(&q);
	smres_close(&sr);
	host_free(&h);
	diag_free(&d);
	prove_known_free(&known);
	prove_addrs_free(&addrs);
	hset_free(&uid0);
	buf_free(&cf);
	buf_free(&out);
	buf_free(&qpw);
	buf_free(&real);
	close(rootfd);
	close(qfd);
	return sum.unexplained ? S2Q_EXIT_DIFF : S2Q_EXIT_OK;
}
