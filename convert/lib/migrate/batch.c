/* migrate/batch - many hosts from a manifest, in parallel, one report each */
#include "batch.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../util/hset.h"
#include "../util/lline.h"
#include "mjson.h"

static int name_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > 64 || s[0] == '.')
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '.' || s[i] == '_' || s[i] == '-'))
			return 0;
	return 1;
}

void batch_free(struct batch *b)
{
	size_t i, k;

	for (i = 0; i < b->n; i++) {
		free(b->v[i].name);
		free(b->v[i].from);
		free(b->v[i].to);
		for (k = 0; k < b->v[i].nopts; k++)
			free(b->v[i].opts[k]);
		free(b->v[i].opts);
	}
	free(b->v);
	memset(b, 0, sizeof(*b));
}

int batch_read(struct batch *b, const char *path, const char *shown, struct diag_sink *d)
{
	lline lr;
	buf line = BUF_INIT;
	struct hset names;
	int r, ret = -1;

	memset(b, 0, sizeof(*b));
	if (lline_open(&lr, path, 0) < 0)
		return -1;
	hset_init(&names);
	while ((r = lline_next(&lr, &line)) > 0) {
		char *w[4096], *p, *save = NULL;
		size_t nw = 0, k;
		struct batch_host *h, *nv;
		unsigned long old;

		if (!buf_cstr(&line))
			goto out;
		if (lr.hasnul) {
			if (diag_add(d, DIAG_ERROR, "S2Q-G030", shown, lr.lineno, "a NUL byte") < 0)
				goto out;
			continue;
		}
		for (p = strtok_r(line.s, " \t\r", &save); p && nw < 4096; p = strtok_r(NULL, " \t\r", &save))
			w[nw++] = p;
		if (nw == 0 || w[0][0] == '#')
			continue;
		if (nw < 3) {
			if (diag_add(d, DIAG_ERROR, "S2Q-G030", shown, lr.lineno,
				     "want NAME SENDMAIL_ROOT OUTROOT [options]") < 0)
				goto out;
			continue;
		}
		if (!name_ok(w[0])) {
			if (diag_add(d, DIAG_ERROR, "S2Q-G030", shown, lr.lineno,
				     "host name '%s' is not [A-Za-z0-9._-]{1,64} (it names the report "
				     "files)", w[0]) < 0)
				goto out;
			continue;
		}
		r = hset_put(&names, w[0], strlen(w[0]), lr.lineno, &old);
		if (r < 0)
			goto out;
		if (r == 0) {
			if (diag_add(d, DIAG_ERROR, "S2Q-G031", shown, lr.lineno,
				     "host %s is already named on line %lu", w[0], old) < 0)
				goto out;
			continue;
		}
		nv = realloc(b->v, (b->n + 1) * sizeof(*nv));
		if (nv == NULL)
			goto out;
		b->v = nv;
		h = &b->v[b->n++];
		memset(h, 0, sizeof(*h));
		h->rc = -1;
		h->line = lr.lineno;
		h->name = strdup(w[0]);
		h->from = strdup(w[1]);
		h->to = strdup(w[2]);
		h->opts = calloc(nw - 3 + 1, sizeof(char *));
		if (!h->name || !h->from || !h->to || !h->opts)
			goto out;
		for (k = 3; k < nw; k++)
			if ((h->opts[h->nopts++] = strdup(w[k])) == NULL)
				goto out;
	}
	if (r < 0)
		goto out;
	ret = 0;
out:
	lline_close(&lr);
	hset_free(&names);
	buf_free(&line);
	return ret;
}

static int start(const struct batch_host *h, const char *self, char *const *common, size_t ncommon,
		 const char *dir, pid_t *pid)
{
	size_t n = 8 + ncommon + h->nopts, k = 0, i;
	char **av = calloc(n + 1, sizeof(char *));
	buf rep = BUF_INIT, log = BUF_INIT;

	if (av == NULL || buf_printf(&rep, "%s/%s.json", dir, h->name) < 0 || !buf_cstr(&rep) ||
	    buf_printf(&log, "%s/%s.log", dir, h->name) < 0 || !buf_cstr(&log)) {
		free(av);
		buf_free(&rep);
		buf_free(&log);
		errno = ENOMEM;
		return -1;
	}
	av[k++] = (char *)"s2q-migrate";
	av[k++] = (char *)"--from";
	av[k++] = h->from;
	av[k++] = (char *)"--to";
	av[k++] = h->to;
	av[k++] = (char *)"--json";
	av[k++] = rep.s;
	for (i = 0; i < ncommon; i++)
		av[k++] = common[i];
	for (i = 0; i < h->nopts; i++)
		av[k++] = h->opts[i];
	av[k] = NULL;
	unlink(rep.s);
	*pid = fork();
	if (*pid == 0) {
		int fd = open(log.s, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		int nul = open("/dev/null", O_RDONLY);

		if (fd < 0 || nul < 0 || dup2(nul, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(111);
		execv(self, av);
		_exit(111);
	}
	free(av);
	buf_free(&rep);
	buf_free(&log);
	return *pid < 0 ? -1 : 0;
}

static int jv(buf *out, const struct mj *j, const char *key)
{
	const struct mj *v = mj_get(j, key);

	if (v == NULL || v->t == MJ_NULL)
		return buf_append_s(out, "null");
	if (v->t == MJ_NUM)
		return buf_append_s(out, v->s);
	if (v->t == MJ_STR)
		return json_str(out, v->s, v->len);
	return buf_append_s(out, "null");
}

/* the summary line of one host, from its report (or its log when there is none) */
static int summary(buf *out, const struct batch_host *h, const char *dir, size_t *nbad)
{
	buf p = BUF_INIT, txt = BUF_INIT;
	struct mj j;
	int fd, ok = 0, ret = -1;
	char tmp[65536];
	ssize_t n;

	memset(&j, 0, sizeof(j));
	if (buf_printf(&p, "%s/%s.json", dir, h->name) < 0 || !buf_cstr(&p))
		goto out;
	fd = open(p.s, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		while ((n = read(fd, tmp, sizeof(tmp))) > 0)
			if (buf_append(&txt, tmp, (size_t)n) < 0) {
				close(fd);
				goto out;
			}
		close(fd);
		ok = txt.len && mj_parse(&j, txt.s, txt.len, NULL) == 0 && j.t == MJ_OBJ;
	}
	if (buf_append_s(out, "{\"name\":") < 0 || json_str(out, h->name, strlen(h->name)) < 0)
		goto out;
	if (ok) {
		const struct mj *rt = mj_get(&j, "route"), *files = mj_get(&j, "files");

		if (buf_append_s(out, ",\"status\":") < 0 || jv(out, &j, "status") < 0 ||
		    buf_printf(out, ",\"exit\":%d,\"errors\":", h->rc) < 0 || jv(out, &j, "errors") < 0 ||
		    buf_append_s(out, ",\"warnings\":") < 0 || jv(out, &j, "warnings") < 0 ||
		    buf_append_s(out, ",\"notes\":") < 0 || jv(out, &j, "notes") < 0 ||
		    buf_printf(out, ",\"files\":%zu,\"route_unexplained\":",
			       files && files->t == MJ_ARR ? files->n : 0) < 0 ||
		    (rt && rt->t == MJ_OBJ ? jv(out, rt, "unexplained") : buf_append_s(out, "null")) < 0 ||
		    buf_append_s(out, ",\"reason\":") < 0 || jv(out, &j, "reason") < 0)
			goto out;
	} else {
		/* no report: the last line of the log says why */
		buf lg = BUF_INIT;
		size_t e, s;

		if (buf_printf(&lg, "%s/%s.log", dir, h->name) < 0 || !buf_cstr(&lg))
			goto out;
		buf_reset(&txt);
		fd = open(lg.s, O_RDONLY | O_CLOEXEC);
		buf_free(&lg);
		if (fd >= 0) {
			while ((n = read(fd, tmp, sizeof(tmp))) > 0)
				if (buf_append(&txt, tmp, (size_t)n) < 0) {
					close(fd);
					goto out;
				}
			close(fd);
		}
		e = txt.len;
		while (e > 0 && txt.s[e - 1] == '\n')
			e--;
		s = e;
		while (s > 0 && txt.s[s - 1] != '\n')
			s--;
		if (buf_printf(out, ",\"status\":\"%s\",\"exit\":%d,\"errors\":null,\"warnings\":null,"
			       "\"notes\":null,\"files\":0,\"route_unexplained\":null,\"reason\":",
			       h->rc == 100 ? "refused" : "failed", h->rc) < 0)
			goto out;
		if (e > s) {
			if (json_str(out, txt.s + s, e - s) < 0)
				goto out;
		} else if (buf_printf(out, "\"exited %d without a report\"", h->rc) < 0) {
			goto out;
		}
	}
	if (buf_append_s(out, "}\n") < 0)
		goto out;
	if (h->rc != 0)
		(*nbad)++;
	ret = 0;
out:
	mj_free(&j);
	buf_free(&p);
	buf_free(&txt);
	return ret;
}

int batch_run(struct batch *b, const char *self, char *const *common, size_t ncommon,
	      unsigned jobs, const char *dir,
	      void (*progress)(void *ctx, size_t done, size_t total, const struct batch_host *h),
	      void *ctx, buf *out, size_t *nbad)
{
	pid_t *pids = calloc(b->n ? b->n : 1, sizeof(pid_t));
	size_t next = 0, running = 0, done = 0, i;

	*nbad = 0;
	if (pids == NULL)
		return -1;
	if (jobs == 0)
		jobs = 1;
	while (done < b->n) {
		int st;
		pid_t p;

		while (next < b->n && running < jobs) {
			if (start(&b->v[next], self, common, ncommon, dir, &pids[next]) < 0) {
				int e = errno;

				/* cannot start: it fails, the others go on */
				b->v[next].rc = 111;
				pids[next] = 0;
				next++;
				done++;
				if (progress)
					progress(ctx, done, b->n, &b->v[next - 1]);
				(void)e;
				continue;
			}
			next++;
			running++;
		}
		if (running == 0)
			continue;
		p = wait(&st);
		if (p < 0) {
			if (errno == EINTR)
				continue;
			free(pids);
			return -1;
		}
		for (i = 0; i < b->n; i++)
			if (pids[i] == p)
				break;
		if (i == b->n)
			continue;
		pids[i] = 0;
		b->v[i].rc = WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 255;
		running--;
		done++;
		if (progress)
			progress(ctx, done, b->n, &b->v[i]);
	}
	free(pids);
	for (i = 0; i < b->n; i++)
		if (summary(out, &b->v[i], dir, nbad) < 0)
			return -1;
	return 0;
}
