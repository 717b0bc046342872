/*
 * Stands in for the kubelet in the end-to-end tests. Writes, under /out:
 *   argv        its arguments, each followed by a NUL byte
 *   env         its environment, each entry followed by a NUL byte
 *   mountinfo   a copy of /proc/self/mountinfo
 *   access      for each path in $PROBE_PATHS (':'-separated): "PATH ro|rw|missing"
 *               as statvfs(2) reports it, i.e. whether the mount is read-only
 * With PROBE_WAIT set it then writes /out/ready and waits for SIGTERM, writes
 * /out/term and exits. It exits with $PROBE_EXIT (default 0).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

extern char **environ;

static FILE *out(const char *name) {
	char path[256];
	snprintf(path, sizeof path, "/out/%s", name);
	FILE *f = fopen(path, "w");
	if (!f) {
		perror(path);
		exit(100);
	}
	return f;
}

int main(int argc, char **argv) {
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);

	FILE *f = out("argv");
	for (int i = 0; i < argc; i++)
		fwrite(argv[i], 1, strlen(argv[i]) + 1, f);
	fclose(f);

	f = out("env");
	for (char **e = environ; *e; e++)
		fwrite(*e, 1, strlen(*e) + 1, f);
	fclose(f);

	f = out("mountinfo");
	FILE *m = fopen("/proc/self/mountinfo", "r");
	if (m) {
		char buf[4096];
		size_t n;
		while ((n = fread(buf, 1, sizeof buf, m)) > 0)
			fwrite(buf, 1, n, f);
		fclose(m);
	}
	fclose(f);

	f = out("access");
	const char *paths = getenv("PROBE_PATHS");
	if (paths) {
		char *copy = strdup(paths), *save = NULL;
		for (char *p = strtok_r(copy, ":", &save); p; p = strtok_r(NULL, ":", &save)) {
			struct statvfs s;
			if (statvfs(p, &s) != 0)
				fprintf(f, "%s missing\n", p);
			else
				fprintf(f, "%s %s\n", p, (s.f_flag & ST_RDONLY) ? "ro" : "rw");
		}
		free(copy);
	}
	fclose(f);

	if (getenv("PROBE_WAIT")) {
		fclose(out("ready"));
		int sig = 0;
		sigwait(&set, &sig);
		f = out("term");
		fprintf(f, "%d\n", sig);
		fclose(f);
	}
	const char *code = getenv("PROBE_EXIT");
	return code ? atoi(code) : 0;
}
