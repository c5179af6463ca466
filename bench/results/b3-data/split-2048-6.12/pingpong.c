// round trips over a SOCK_SEQPACKET pair: child process (own mm) vs thread (same mm); pinned to one CPU or not
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
static int sv[2];
static long N = 4096;
static void *echo(void *a) { char b[8]; for (long i = 0; i < N; i++) { if (recv(sv[1], b, 8, 0) != 8) break; send(sv[1], b, 8, 0); } return a; }
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }
int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "fork"; int pin = argc > 2 && atoi(argv[2]);
	if (argc > 3) N = atol(argv[3]);
	if (pin) { cpu_set_t s; CPU_ZERO(&s); CPU_SET(sched_getcpu(), &s); sched_setaffinity(0, sizeof(s), &s); }
	socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv);
	pthread_t th; pid_t pid = 0;
	if (!strcmp(mode, "fork")) { pid = fork(); if (!pid) { echo(NULL); _exit(0); } }
	else pthread_create(&th, NULL, echo, NULL);
	char b[8] = "ping"; double t0 = now();
	for (long i = 0; i < N; i++) { send(sv[0], b, 8, 0); recv(sv[0], b, 8, 0); }
	double t = now() - t0;
	if (pid) waitpid(pid, NULL, 0); else pthread_join(th, NULL);
	printf("%s pin=%d: %ld round trips, %.1f us each\n", mode, pin, N, t / N * 1e6);
	return 0;
}
