/* experiment: write VALUE to memoryN/state for each N, one process, per-write us */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
static long us(struct timespec a, struct timespec b)
{ return (b.tv_sec - a.tv_sec) * 1000000 + (b.tv_nsec - a.tv_nsec) / 1000; }
int main(int argc, char **argv)
{
	const char *val = argv[1];
	long tot = 0;
	for (int i = 2; i < argc; i++) {
		char p[128]; struct timespec a, b;
		snprintf(p, sizeof p, "/sys/devices/system/memory/memory%s/state", argv[i]);
		int fd = open(p, O_WRONLY);
		clock_gettime(CLOCK_MONOTONIC, &a);
		ssize_t n = write(fd, val, strlen(val));
		clock_gettime(CLOCK_MONOTONIC, &b);
		close(fd);
		tot += us(a, b);
		printf("O %s %ld us cpu%d%s\n", argv[i], us(a, b), sched_getcpu(), n < 0 ? " ERR" : "");
	}
	printf("O total %ld us\n", tot);
	return 0;
}
