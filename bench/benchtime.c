// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * benchtime: run a command once, print its wall time, peak RSS and CPU.
 *
 *   benchtime [-o FILE] -- CMD [ARG...]
 *   prints: wall_us maxrss_kb user_us sys_us exit_status
 *
 * A tiny C parent instead of python or bash: the kernel folds the parent's
 * RSS at fork into the child's ru_maxrss, so the parent must stay small
 * for peak-RSS figures to mean the command's own. The command's stdout
 * goes to FILE (default /dev/null), so both tools pay the same for output.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static long long tv_us(const struct timeval *tv)
{
	return tv->tv_sec * 1000000LL + tv->tv_usec;
}

int main(int argc, char **argv)
{
	const char *out = "/dev/null";
	struct rusage ru;
	long long t0, t1;
	int i = 1, status, fd, rc;
	pid_t pid;

	if (i + 1 < argc && !strcmp(argv[i], "-o")) {
		out = argv[i + 1];
		i += 2;
	}
	if (i < argc && !strcmp(argv[i], "--"))
		i++;
	if (i >= argc) {
		fprintf(stderr, "usage: benchtime [-o FILE] -- CMD [ARG...]\n");
		return 2;
	}
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		fprintf(stderr, "benchtime: %s: %s\n", out, strerror(errno));
		return 2;
	}
	t0 = now_us();
	pid = fork();
	if (pid < 0) {
		perror("benchtime: fork");
		return 2;
	}
	if (pid == 0) {
		dup2(fd, STDOUT_FILENO);
		execvp(argv[i], argv + i);
		fprintf(stderr, "benchtime: %s: %s\n", argv[i], strerror(errno));
		_exit(127);
	}
	while (wait4(pid, &status, 0, &ru) < 0) {
		if (errno != EINTR) {
			perror("benchtime: wait4");
			return 2;
		}
	}
	t1 = now_us();
	rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	printf("%lld %ld %lld %lld %d\n", t1 - t0, ru.ru_maxrss,
	       tv_us(&ru.ru_utime), tv_us(&ru.ru_stime), rc);
	return 0;
}
