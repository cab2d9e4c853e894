/* s2q-migrate - a whole sendmail host to qmail: stage, report, dry run, apply, roll back, batch */
#define _GNU_SOURCE	/* renameat2 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/diff/treediff.h"
#include "lib/migrate/batch.h"
#include "lib/migrate/install.h"
#include "lib/migrate/migrate.h"
#include "lib/util/aw.h"
#include "lib/util/buf.h"
#include "prog.h"

static const char usage[] =
	"--from SENDMAIL_ROOT [--to OUTROOT | --dry-run --against LIVEROOT |\n"
	"        --apply --against LIVEROOT [--backup-dir DIR] [--force]] [--hostname FQDN] [--json REPORT]\n"
	"        [-C CF] [--passwd FILE] [--rcpthosts-max N] [--no-home-check] [--alias-user NAME]\n"
	"        [--alias-uid N --alias-gid N] [--defaultdelivery LINE] [--only-domains RE]\n"
	"        [--exclude-domains RE] [--no-route]\n"
	"       s2q-migrate --rollback BACKUPDIR\n"
	"       s2q-migrate --batch MANIFEST [-j N] [--report-dir DIR] [common options]";

/* the private staging directory, removed at exit whatever happens (fatal errors too) */
static char cleanup_dir[PATH_MAX + 64];

static void cleanup(void)
{
	char *sl;
	int fd;

	if (!cleanup_dir[0])
		return;
	sl = strrchr(cleanup_dir, '/');
	*sl = '\0';
	fd = open(cleanup_dir[0] ? cleanup_dir : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		mig_rmtree(fd, sl + 1);
		close(fd);
	}
	cleanup_dir[0] = '\0';
}

static void oom(void)
{
	errno = ENOMEM;
	prog_fatal_sys(S2Q_EXIT_TEMP, "out of memory");
}

static void put_stderr(const buf *b)
{
	if (b->len)
		write_all(2, b->s, b->len);
}

/* write the report file: the atomic writer in its directory */
static void write_report(const char *path, const buf *b)
{
	char *d = strdup(path), *sl;
	const char *base;
	int fd;

	if (d == NULL)
		oom();
	sl = strrchr(d, '/');
	if (sl == NULL) {
		base = path;
		fd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	} else {
		*sl = '\0';
		base = sl + 1;
		fd = open(d[0] ? d : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	if (fd < 0 || aw_file(fd, base, 0644, 0, b->s, b->len) < 0)
		prog_fatal_sys(S2Q_EXIT_TEMP, "unable to write the report %s", path);
	close(fd);
	free(d);
}

static char *absdir(const char *p)
{
	char *r = realpath(p, NULL);

	if (r == NULL)
		prog_fatal_sys(prog_errno_code(), "unable to find %s", p);
	return r;
}

static int to_buf(void *ctx, const char *p, size_t n)
{
	return buf_append((buf *)ctx, p, n);
}

static void progress(void *ctx, size_t done, size_t total, const struct batch_host *h)
{
	(void)ctx;
	fprintf(stderr, "\r%s: [%zu/%zu] %s exit %d\033[K", prog_name, done, total, h->name, h->rc);
	if (done == total)
		fputc('\n', stderr);
}

static int rollback(const char *dir)
{
	buf live = BUF_INIT, err = BUF_INIT;
	unsigned long restored, removed;
	int r = inst_rollback(dir, &live, &restored, &removed, &err);

	if (r < 0)
		prog_fatal_sys(errno == EINVAL || errno == ENOENT ? S2Q_EXIT_PERM : S2Q_EXIT_TEMP,
			       "unable to roll back: %s", err.s ? err.s : dir);
	if (r == 1)
		fprintf(stderr, "%s: %s has no manifest: the apply stopped before it installed "
			"anything; nothing to roll back\n", prog_name, dir);
	else
		fprintf(stderr, "%s: rolled back %s: %lu file%s restored, %lu removed\n", prog_name,
			live.s, restored, restored == 1 ? "" : "s", removed);
	buf_free(&live);
	buf_free(&err);
	return S2Q_EXIT_OK;
}

static int batch(const char *manifest, unsigned jobs, const char *rdir, char **common, size_t nc)
{
	struct batch b;
	struct diag_sink d;
	buf out = BUF_INIT, self = BUF_INIT;
	char tmpl[] = "/tmp/s2q-migrate-reports.XXXXXX", *dir = NULL, *selfp;
	size_t nbad = 0;
	int rc;

	diag_init(&d);
	if (batch_read(&b, manifest, manifest, &d) < 0)
		prog_fatal_sys(errno == ENOMEM ? S2Q_EXIT_TEMP : prog_errno_code(), "unable to read %s",
			       manifest);
	prog_print_diags(&d);
	if (rdir) {
		if (mkdir(rdir, 0755) < 0 && errno != EEXIST)
			prog_fatal_sys(S2Q_EXIT_TEMP, "unable to create %s", rdir);
		dir = absdir(rdir);
	} else {
		if (mkdtemp(tmpl) == NULL)
			prog_fatal_sys(S2Q_EXIT_TEMP, "unable to create a report directory");
		dir = strdup(tmpl);
		if (dir == NULL)
			oom();
	}
	selfp = realpath("/proc/self/exe", NULL);
	if (selfp == NULL)
		prog_fatal_sys(S2Q_EXIT_TEMP, "unable to find my own program");
	if (batch_run(&b, selfp, common, nc, jobs, dir, isatty(2) ? progress : NULL, NULL, &out,
		      &nbad) < 0)
		prog_fatal_sys(S2Q_EXIT_TEMP, "unable to run the hosts");
	prog_write_stdout(&out);
	rc = nbad || d.nerr ? S2Q_EXIT_DIFF : S2Q_EXIT_OK;
	fprintf(stderr, "%s: %zu host%s, %zu not converted%s%s\n", prog_name, b.n, b.n == 1 ? "" : "s",
		nbad, d.nerr ? ", manifest errors" : "", rdir ? "" : " (reports not kept: --report-dir)");
	if (!rdir) {
		int fd = open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (fd >= 0) {
			mig_rmtree(fd, dir + 5);
			close(fd);
		}
	}
	free(selfp);
	free(dir);
	batch_free(&b);
	diag_free(&d);
	buf_free(&out);
	buf_free(&self);
	return rc;
}

int main(int argc, char **argv)
{
	struct mig_opts o;
	struct mig_result r;
	const char *to = NULL, *json = NULL, *against = NULL, *backup = NULL, *rb = NULL,
		   *manifest = NULL, *rdir = NULL, *mode = "report";
	int dry = 0, apply = 0, force = 0, i, rc, wfd = -1, parentfd = -1;
	unsigned jobs = 1;
	char *common[32];
	size_t nc = 0;
	buf bindir = BUF_INIT, work = BUF_INIT, text = BUF_INIT, rep = BUF_INIT, extra = BUF_INIT,
	    err = BUF_INIT, diffout = BUF_INIT, cmds = BUF_INIT, outabs_b = BUF_INIT;
	char *from = NULL, *live = NULL, *outabs = NULL;
	struct inst_plan plan;
	struct timespec started;

	prog_name = "s2q-migrate";
	memset(&o, 0, sizeof(o));
	memset(&plan, 0, sizeof(plan));
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		int common_opt = 0;

		if (strcmp(a, "--dry-run") == 0) { dry = 1; continue; }
		if (strcmp(a, "--apply") == 0) { apply = 1; continue; }
		if (strcmp(a, "--force") == 0) { force = 1; continue; }
		if (strcmp(a, "--no-home-check") == 0) {
			o.no_home_check = 1;
			if (nc < 30)
				common[nc++] = argv[i];
			continue;
		}
		if (strcmp(a, "--no-route") == 0) {
			o.no_route = 1;
			if (nc < 30)
				common[nc++] = argv[i];
			continue;
		}
		if (v == NULL)
			prog_usage(usage);
		i++;
		if (strcmp(a, "--from") == 0) o.from = v;
		else if (strcmp(a, "--to") == 0) to = v;
		else if (strcmp(a, "--hostname") == 0) o.hostname = v;
		else if (strcmp(a, "--json") == 0) json = v;
		else if (strcmp(a, "--against") == 0) against = v;
		else if (strcmp(a, "--backup-dir") == 0) backup = v;
		else if (strcmp(a, "--rollback") == 0) rb = v;
		else if (strcmp(a, "--batch") == 0) manifest = v;
		else if (strcmp(a, "--report-dir") == 0) rdir = v;
		else if (strcmp(a, "-j") == 0) jobs = (unsigned)prog_id_arg(usage, v);
		else if (strcmp(a, "-C") == 0) { o.cf = v; common_opt = 1; }
		else if (strcmp(a, "--passwd") == 0) { o.passwd = v; common_opt = 1; }
		else if (strcmp(a, "--rcpthosts-max") == 0) {
			o.rcpthosts_max = prog_id_arg(usage, v);
			common_opt = 1;
		} else if (strcmp(a, "--alias-user") == 0) { o.alias_user = v; common_opt = 1; }
		else if (strcmp(a, "--alias-uid") == 0) { o.alias_uid = prog_id_arg(usage, v); common_opt = 1; }
		else if (strcmp(a, "--alias-gid") == 0) { o.alias_gid = prog_id_arg(usage, v); common_opt = 1; }
		else if (strcmp(a, "--defaultdelivery") == 0) { o.defaultdelivery = v; common_opt = 1; }
		else if (strcmp(a, "--only-domains") == 0) { o.only_domains = v; common_opt = 1; }
		else if (strcmp(a, "--exclude-domains") == 0) { o.exclude_domains = v; common_opt = 1; }
		else
			prog_usage(usage);
		if (common_opt && nc < 30) {
			common[nc++] = argv[i - 1];
			common[nc++] = argv[i];
		}
	}
	if (rb) {
		if (o.from || manifest || to || dry || apply)
			prog_usage(usage);
		return rollback(rb);
	}
	if (manifest) {
		if (o.from || to || dry || apply || against || json || o.hostname)
			prog_usage(usage);
		return batch(manifest, jobs, rdir, common, nc);
	}
	if (o.from == NULL || (dry && apply) || ((dry || apply) && (against == NULL || to)) ||
	    (!dry && !apply && (against || backup)) || (backup && !apply) ||
	    (!o.alias_uid) != (!o.alias_gid) || rdir || (force && !apply))
		prog_usage(usage);
	if (!o.alias_uid) {
		/* the new host's qmail alias account, when s2q runs on it */
		const char *an = o.alias_user ? o.alias_user : "alias";
		const struct passwd *pw = getpwnam(an);

		if (pw != NULL && pw->pw_uid != 0 && pw->pw_gid != 0) {
			o.alias_uid = (unsigned long)pw->pw_uid;
			o.alias_gid = (unsigned long)pw->pw_gid;
			fprintf(stderr, "%s: note: qmail's alias user: %s (uid %lu, gid %lu) from this "
				"machine's passwd (--alias-uid/--alias-gid override) [S2Q-G032]\n",
				prog_name, an, o.alias_uid, o.alias_gid);
		}
	}
	from = absdir(o.from);
	o.from = from;
	if (mig_bindir(&bindir) < 0)
		prog_fatal_sys(S2Q_EXIT_TEMP, "unable to find the s2q programs");
	o.bindir = bindir.s;
	if (dry || apply)
		live = absdir(against);

	/* the private staging area: inside OUTROOT (same file system, for the final rename) or /tmp */
	if (to) {
		struct stat st;

		mode = "convert";
		if (stat(to, &st) == 0) {
			/* stage inside it: the same file system for the final renames */
			outabs = absdir(to);
			if (buf_printf(&work, "%s/.s2q-migrate.XXXXXX", outabs) < 0 || !buf_cstr(&work))
				oom();
			/* its files with the same bytes are linked into the stage, not written again */
			o.reuse = outabs;
		} else {
			/* created only when the host converts: stage beside it */
			char *cp = strdup(to), *sl, *pd;

			if (cp == NULL)
				oom();
			while (strlen(cp) > 1 && cp[strlen(cp) - 1] == '/')
				cp[strlen(cp) - 1] = '\0';
			sl = strrchr(cp, '/');
			if (sl)
				*sl = '\0';
			pd = absdir(sl ? (cp[0] ? cp : "/") : ".");
			if (buf_printf(&outabs_b, "%s/%s", strcmp(pd, "/") ? pd : "", sl ? sl + 1 : cp) < 0 ||
			    !buf_cstr(&outabs_b) ||
			    buf_printf(&work, "%s/.s2q-migrate.XXXXXX", strcmp(pd, "/") ? pd : "") < 0 ||
			    !buf_cstr(&work))
				oom();
			outabs = strdup(outabs_b.s);
			if (outabs == NULL)
				oom();
			free(pd);
			free(cp);
		}
	} else {
		const char *t = getenv("TMPDIR");

		mode = dry ? "dry-run" : apply ? "apply" : "report";
		if (buf_printf(&work, "%s/s2q-migrate.XXXXXX", t && *t == '/' ? t : "/tmp") < 0 ||
		    !buf_cstr(&work))
			oom();
	}
	if (mkdtemp(work.s) == NULL)
		prog_fatal_sys(S2Q_EXIT_TEMP, "unable to create a staging directory %s", work.s);
	if (work.len < sizeof(cleanup_dir)) {
		memcpy(cleanup_dir, work.s, work.len + 1);
		atexit(cleanup);
	}
	{
		char *sl = strrchr(work.s, '/');

		*sl = '\0';
		parentfd = open(work.s[0] ? work.s : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		*sl = '/';
		if (parentfd < 0)
			prog_fatal_sys(S2Q_EXIT_TEMP, "unable to open the directory of %s", work.s);
	}
	mig_result_init(&r);
	/* files of --to linked into the stage must not be modified after this (inst_publish) */
	clock_gettime(CLOCK_REALTIME_COARSE, &started);
	if (mig_stage(&o, work.s, &r) < 0) {
		prog_fatal_sys(S2Q_EXIT_TEMP, "unable to stage the conversion in %s", work.s);
	}
	rc = mig_exit(&r);
	if (buf_append_s(&work, "/tree") < 0 || !buf_cstr(&work))
		oom();
	wfd = open(work.s, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (wfd < 0)
		prog_fatal_sys(S2Q_EXIT_TEMP, "unable to open %s", work.s);

	if ((dry || apply) && !r.refused && !r.failed) {
		int lfd = open(live, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (lfd < 0)
			prog_fatal_sys(prog_errno_code(), "unable to open %s", live);
		if (inst_plan(wfd, lfd, r.files, r.nfiles, &plan, &err) < 0)
			prog_fatal_sys(errno == ELOOP || errno == EINVAL || errno == EISDIR
				       ? S2Q_EXIT_PERM : S2Q_EXIT_TEMP,
				       "unable to compare with %s: %s", live, err.s ? err.s : "?");
		if (dry) {
			struct tdiff_opts to_;
			struct tdiff_stats st;
			struct udiff_sink sink = { to_buf, &diffout };
			struct diag_sink dd;
			int bfd;

			/* the "before" tree: live's version of every file the apply would write */
			work.len -= 5;
			if (buf_append_s(&work, "/before") < 0 || !buf_cstr(&work) || mkdir(work.s, 0755) < 0 ||
			    (bfd = open(work.s, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
				prog_fatal_sys(S2Q_EXIT_TEMP, "unable to create %s", work.s);
			if (inst_before(lfd, bfd, &plan, &err) < 0)
				prog_fatal_sys(S2Q_EXIT_TEMP, "unable to copy from %s: %s", live, err.s);
			memset(&to_, 0, sizeof(to_));
			memset(&st, 0, sizeof(st));
			to_.name_a = live;
			to_.name_b = "staged";
			to_.context = 3;
			to_.new_file = 1;
			to_.ignore_owner = 1;
			diag_init(&dd);
			buf_reset(&err);
			if (tdiff_trees(&to_, bfd, wfd, &sink, &dd, &st, &err) < 0)
				prog_fatal_sys(S2Q_EXIT_TEMP, "unable to compare: %s", err.s ? err.s : "?");
			close(bfd);
			prog_write_stdout(&diffout);
			if (buf_printf(&extra, "\"dry_run\":{\"against\":") < 0 ||
			    json_str(&extra, live, strlen(live)) < 0 ||
			    buf_printf(&extra, ",\"create\":%zu,\"replace\":%zu,\"same\":%zu,"
				       "\"differences\":%lu,\"findings\":%lu}", plan.ncreate,
				       plan.nreplace, plan.nsame, st.ndiff, st.nfind) < 0)
				oom();
			if (rc == 0 && (plan.ncreate || plan.nreplace))
				rc = S2Q_EXIT_DIFF;
			diag_free(&dd);
		} else if (r.route.ran && r.route.unexplained && !force) {
			fprintf(stderr, "%s: fatal: the route proof found %lu unexplained difference%s: "
				"nothing installed under %s (read the proof with s2q-route, or apply "
				"anyway with --force)\n", prog_name, r.route.unexplained,
				r.route.unexplained == 1 ? "" : "s", live);
			if (buf_printf(&extra, "\"apply\":{\"against\":") < 0 ||
			    json_str(&extra, live, strlen(live)) < 0 ||
			    buf_printf(&extra, ",\"create\":0,\"replace\":0,\"same\":%zu,\"backup\":null,"
				       "\"refused\":\"unexplained route differences\"}", plan.nsame) < 0)
				oom();
		} else if (plan.ncreate || plan.nreplace) {
			char bpath[PATH_MAX + 64];
			int installed;

			if (backup == NULL) {
				time_t now = time(NULL);
				struct tm tm;
				char ts[32];

				gmtime_r(&now, &tm);
				strftime(ts, sizeof(ts), "%Y%m%dT%H%M%SZ", &tm);
				snprintf(bpath, sizeof(bpath), "%s/../s2q-backup-%s", live, ts);
				backup = bpath;
			}
			if (inst_apply(wfd, lfd, live, backup, &plan, &err, &installed) < 0) {
				if (installed)
					prog_fatal_sys(S2Q_EXIT_TEMP, "apply stopped: unable to %s; %s is "
						       "partly changed: run s2q-migrate --rollback %s",
						       err.s ? err.s : "?", live, backup);
				prog_fatal_sys(S2Q_EXIT_TEMP, "unable to %s; nothing under %s was changed",
					       err.s ? err.s : "?", live);
			}
			if (inst_commands(&cmds, &plan) < 0)
				oom();
			prog_write_stdout(&cmds);
			fprintf(stderr, "%s: installed %zu new and %zu replaced file%s under %s; backup "
				"and manifest in %s (undo: s2q-migrate --rollback %s)\n", prog_name,
				plan.ncreate, plan.nreplace, plan.nreplace == 1 ? "" : "s", live, backup,
				backup);
			if (buf_printf(&extra, "\"apply\":{\"against\":") < 0 ||
			    json_str(&extra, live, strlen(live)) < 0 ||
			    buf_printf(&extra, ",\"create\":%zu,\"replace\":%zu,\"same\":%zu,\"backup\":",
				       plan.ncreate, plan.nreplace, plan.nsame) < 0 ||
			    json_str(&extra, backup, strlen(backup)) < 0 || buf_append_c(&extra, '}') < 0)
				oom();
		} else {
			fprintf(stderr, "%s: %s already holds the converted files: nothing to install\n",
				prog_name, live);
			if (buf_printf(&extra, "\"apply\":{\"against\":") < 0 ||
			    json_str(&extra, live, strlen(live)) < 0 ||
			    buf_printf(&extra, ",\"create\":0,\"replace\":0,\"same\":%zu,\"backup\":null}",
				       plan.nsame) < 0)
				oom();
		}
		close(lfd);
	} else if (to && !r.refused && !r.failed) {
		int ofd;

		/*
		 * OUTROOT did not exist: the staged tree (beside it, same file system) is
		 * renamed into place whole, one atomic step instead of a rename per file;
		 * if OUTROOT has appeared meanwhile, file by file as below
		 */
		if (o.reuse == NULL &&
		    renameat2(AT_FDCWD, work.s, AT_FDCWD, outabs, RENAME_NOREPLACE) == 0) {
			(void)fsync(parentfd);
			goto published;
		}
		if (mkdir(outabs, 0755) < 0 && errno != EEXIST)
			prog_fatal_sys(S2Q_EXIT_TEMP, "unable to create %s", outabs);
		ofd = open(outabs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (ofd < 0 || inst_publish(wfd, ofd, r.files, r.nfiles, &started, &err) < 0) {
			if (ofd >= 0 && errno == EAGAIN && err.s) {
				/* a kept file shared with the staging tree: not ours to publish */
				fprintf(stderr, "%s: fatal: %s under %s (it is shared with the "
					"staging tree): nothing was replaced; run s2q-migrate again\n",
					prog_name, err.s, outabs);
				exit(S2Q_EXIT_TEMP);
			}
			prog_fatal_sys(S2Q_EXIT_TEMP, "unable to %s under %s (nothing was replaced)",
				       err.s ? err.s : "open", outabs);
		}
		close(ofd);
	}
published:
	if (mig_text(&text, prog_name, mode, &r) < 0)
		oom();
	put_stderr(&text);
	if ((r.refused || r.failed) && (to || apply))
		fprintf(stderr, "%s: fatal: not converted: %s; nothing written\n", prog_name,
			r.reason ? r.reason : "see above");
	if (json) {
		if (mig_json(&rep, &o, mode, outabs, &r, extra.len ? buf_cstr(&extra) : NULL) < 0)
			oom();
		write_report(json, &rep);
	}
	close(wfd);
	close(parentfd);
	cleanup();
	inst_plan_free(&plan);
	mig_result_free(&r);
	free(from);
	free(live);
	free(outabs);
	buf_free(&bindir);
	buf_free(&work);
	buf_free(&text);
	buf_free(&rep);
	buf_free(&extra);
	buf_free(&err);
	buf_free(&diffout);
	buf_free(&cmds);
	buf_free(&outabs_b);
	return rc;
}
