/* Check program for scripts/mpi-two-hosts: every rank prints its rank, the network
 * namespace it runs in and the MPI_Allreduce sum of a few doubles, and exits non-zero
 * if the sum is wrong. Built by the caller, never committed as a binary:
 *
 *   mpicc -O2 -o "$tmp/allreduce" Tests/distributed/two_hosts_allreduce.c
 *   scripts/mpi-two-hosts -- "$tmp/allreduce" --distinct-netns
 *
 * Options:
 *   --distinct-netns     also fail unless every rank runs in a named namespace of its own
 *   --fail-rank R:S      rank R exits with status S after the check (tests failure paths)
 *   --sleep SECONDS      sleep after the check (tests interruption)
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NS_LEN 64
#define N_VALUES 4

/* `ip netns identify PID` names the namespace PID is in ("" for the root one). */
static void netns_name(char out[NS_LEN]) {
    char cmd[64];
    snprintf(cmd, sizeof cmd, "ip netns identify %ld 2>/dev/null", (long)getpid());
    out[0] = '\0';
    FILE *p = popen(cmd, "r");
    if (p) {
        if (!fgets(out, NS_LEN, p)) out[0] = '\0';
        pclose(p);
    }
    out[strcspn(out, "\n")] = '\0';
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);

    int distinct = 0, fail_rank = -1, fail_status = 0, sleep_s = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--distinct-netns")) distinct = 1;
        else if (!strcmp(argv[i], "--fail-rank") && i + 1 < argc &&
                 sscanf(argv[++i], "%d:%d", &fail_rank, &fail_status) == 2) {}
        else if (!strcmp(argv[i], "--sleep") && i + 1 < argc) sleep_s = atoi(argv[++i]);
        else {
            if (rank == 0) fprintf(stderr, "two_hosts_allreduce: unknown or incomplete option '%s'\n", argv[i]);
            MPI_Finalize();
            return 2;
        }
    }

    char host[256] = "";
    gethostname(host, sizeof host);
    char ns[NS_LEN];
    netns_name(ns);

    /* Small integers and dyadic fractions: the sum is exact in any order of addition. */
    const double base[N_VALUES] = {1.0, 0.5, 0.25, -3.0};
    double mine[N_VALUES], sum[N_VALUES];
    for (int k = 0; k < N_VALUES; k++) mine[k] = (rank + 1) * base[k];
    MPI_Allreduce(mine, sum, N_VALUES, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);

    int ok = 1;
    const double ranks_sum = size * (size + 1) / 2.0;
    for (int k = 0; k < N_VALUES; k++)
        if (sum[k] != ranks_sum * base[k]) ok = 0;

    char all_ns[size][NS_LEN];
    MPI_Allgather(ns, NS_LEN, MPI_CHAR, all_ns, NS_LEN, MPI_CHAR, MPI_COMM_WORLD);
    int ns_ok = 1;
    if (distinct) {
        if (ns[0] == '\0') ns_ok = 0;
        for (int r = 0; r < size; r++)
            if (r != rank && !strcmp(all_ns[r], ns)) ns_ok = 0;
    }

    printf("rank %d/%d netns=%s host=%s sum=[%g, %g, %g, %g] expected=[%g, %g, %g, %g] %s%s\n",
           rank, size, ns[0] ? ns : "(root)", host, sum[0], sum[1], sum[2], sum[3],
           ranks_sum * base[0], ranks_sum * base[1], ranks_sum * base[2], ranks_sum * base[3],
           ok ? "sum-ok" : "SUM-WRONG", ns_ok ? "" : " NETNS-NOT-DISTINCT");
    fflush(stdout);

    if (sleep_s > 0) sleep(sleep_s);
    if (rank == fail_rank) {
        fprintf(stderr, "rank %d: exiting with status %d as asked (--fail-rank)\n", rank, fail_status);
        exit(fail_status);   /* without MPI_Finalize: as a crashing rank would */
    }
    MPI_Finalize();
    return ok && ns_ok ? 0 : 1;
}
