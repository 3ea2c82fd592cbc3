// SPDX-License-Identifier: GPL-2.0-only
/*
 * make bench's guest program: the IOMMU UAPI's hot paths on iommufd's
 * selftest mock driver, timed from user space. Runs on the base kernel and
 * on the series' alike (built once, against the series' headers; what the
 * base does not have is left out on it). One line per row:
 *
 *   row NAME entries=N bytes=B median=NS min=NS max=NS
 *
 * NS is nanoseconds per entry (per call for the info rows, per fault and
 * its response for the fault rows), over REPS repetitions of 8192 / N
 * calls, at least 16. The fault rows read N records in one read() and
 * write their responses in one write(), or one a write() (the _1w rows,
 * what QEMU does). The floor rows move the same bytes through
 * /dev/iommu_bench_floor (bench/iommu_bench_floor.c).
 * scripts/bench.sh compares the kernels; this program expects nothing of
 * the numbers, and fails only when a call fails.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <linux/iommufd.h>
#include "iommufd_test.h"

#define REPS 9
#define MAX_ENTRIES 4096
#define MAX_ENTRY_LEN 16
#define FAULTS 64

struct iommu_bench_floor {
	__u32 size;
	__u32 len;
	__aligned_u64 uptr;
};

#define IOMMU_BENCH_FLOOR _IOW('F', 0, struct iommu_bench_floor)

static int fd, floor_fd, fault_fd;
static __u32 idev_id, nested_id;
static unsigned char entries[MAX_ENTRIES * MAX_ENTRY_LEN];
static struct iommu_hwpt_pgfault records[FAULTS];
static struct iommu_hwpt_page_response responses[FAULTS];

static void die(const char *what)
{
	printf("error: %s: %s\n", what, strerror(errno));
	exit(1);
}

static uint64_t now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* One call of a row: n entries, entry_len bytes each; 0 or -1 */
typedef int (*call_fn)(unsigned int n, unsigned int entry_len);

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * Time REPS repetitions of `calls` calls of fn, after one not timed, and
 * print the row in ns per entry: median, min, max.
 */
static void row(const char *name, call_fn fn, unsigned int n,
		unsigned int entry_len, unsigned int bytes)
{
	unsigned int calls = 8192 / n < 16 ? 16 : 8192 / n;
	double ns[REPS];
	unsigned int r, c;
	uint64_t t;

	for (r = 0; r <= REPS; r++) {
		t = now();
		for (c = 0; c != calls; c++)
			if (fn(n, entry_len))
				die(name);
		if (r)
			ns[r - 1] = (double)(now() - t) / calls / n;
	}
	qsort(ns, REPS, sizeof(ns[0]), cmp);
	printf("row %s entries=%u bytes=%u median=%.1f min=%.1f max=%.1f\n",
	       name, n, bytes, ns[REPS / 2], ns[0], ns[REPS - 1]);
	fflush(stdout);
}

static void test_cmd(__u32 op, struct iommu_test_cmd *cmd)
{
	cmd->size = sizeof(*cmd);
	cmd->op = op;
	if (ioctl(fd, IOMMU_TEST_CMD, cmd))
		die("IOMMU_TEST_CMD");
}

/* A mock device on an IOAS, a nesting parent, and a nested HWPT with a
 * fault queue that the device is attached to */
static void setup(void)
{
	struct iommu_ioas_alloc ioas = { .size = sizeof(ioas) };
	struct iommu_hwpt_selftest data = { .iotlb = IOMMU_TEST_IOTLB_DEFAULT };
	struct iommu_fault_alloc fault = { .size = sizeof(fault) };
	struct iommu_hwpt_alloc parent = {
		.size = sizeof(parent),
		.flags = IOMMU_HWPT_ALLOC_NEST_PARENT,
	};
	struct iommu_hwpt_alloc nested = {
		.size = sizeof(nested),
		.flags = IOMMU_HWPT_FAULT_ID_VALID,
		.data_type = IOMMU_HWPT_DATA_SELFTEST,
		.data_len = sizeof(data),
		.data_uptr = (uintptr_t)&data,
	};
	struct iommu_test_cmd cmd = {};
	__u32 stdev_id;

	fd = open("/dev/iommu", O_RDWR);
	if (fd < 0)
		die("/dev/iommu");
	floor_fd = open("/dev/iommu_bench_floor", O_RDWR);
	if (floor_fd < 0)
		die("/dev/iommu_bench_floor");
	if (ioctl(fd, IOMMU_IOAS_ALLOC, &ioas))
		die("IOMMU_IOAS_ALLOC");
	cmd.id = ioas.out_ioas_id;
	test_cmd(IOMMU_TEST_OP_MOCK_DOMAIN, &cmd);
	stdev_id = cmd.mock_domain.out_stdev_id;
	idev_id = cmd.mock_domain.out_idev_id;
	parent.dev_id = idev_id;
	parent.pt_id = ioas.out_ioas_id;
	if (ioctl(fd, IOMMU_HWPT_ALLOC, &parent))
		die("IOMMU_HWPT_ALLOC parent");
	if (ioctl(fd, IOMMU_FAULT_QUEUE_ALLOC, &fault))
		die("IOMMU_FAULT_QUEUE_ALLOC");
	fault_fd = fault.out_fault_fd;
	nested.dev_id = idev_id;
	nested.pt_id = parent.out_hwpt_id;
	nested.fault_id = fault.out_fault_id;
	if (ioctl(fd, IOMMU_HWPT_ALLOC, &nested))
		die("IOMMU_HWPT_ALLOC nested");
	nested_id = nested.out_hwpt_id;
	memset(&cmd, 0, sizeof(cmd));
	cmd.id = stdev_id;
	cmd.mock_domain_replace.pt_id = nested_id;
	test_cmd(IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE, &cmd);
}

/* Entries of entry_len bytes: the base's struct, then zeros */
static void fill(unsigned int entry_len)
{
	struct iommu_hwpt_invalidate_selftest inv = {};
	unsigned int i;

	memset(entries, 0, sizeof(entries));
	for (i = 0; i != MAX_ENTRIES; i++) {
		inv.iotlb_id = i % MOCK_NESTED_DOMAIN_IOTLB_NUM;
		memcpy(entries + i * entry_len, &inv, sizeof(inv));
	}
}

static int invalidate(unsigned int n, unsigned int entry_len)
{
	struct iommu_hwpt_invalidate cmd = {
		.size = sizeof(cmd),
		.hwpt_id = nested_id,
		.data_uptr = (uintptr_t)entries,
		.data_type = IOMMU_HWPT_INVALIDATE_DATA_SELFTEST,
		.entry_len = entry_len,
		.entry_num = n,
	};

	return ioctl(fd, IOMMU_HWPT_INVALIDATE, &cmd) || cmd.entry_num != n ?
		       -1 : 0;
}

/* n calls of one entry: what a VMM that does not batch does */
static int invalidate_singly(unsigned int n, unsigned int entry_len)
{
	unsigned int i;

	for (i = 0; i != n; i++)
		if (invalidate(1, entry_len))
			return -1;
	return 0;
}

static int floor_copy(unsigned int n, unsigned int entry_len)
{
	struct iommu_bench_floor f = {
		.size = sizeof(f),
		.len = n * entry_len,
		.uptr = (uintptr_t)entries,
	};

	return ioctl(floor_fd, IOMMU_BENCH_FLOOR, &f);
}

static int trigger(void)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_TRIGGER_IOPF,
		.trigger_iopf = {
			.dev_id = idev_id,
			.pasid = 1,
			.grpid = 2,
			.perm = IOMMU_PGFAULT_PERM_READ,
			.addr = 0x10000,
		},
	};

	return ioctl(fd, IOMMU_TEST_CMD, &cmd);
}

/* n faults, then their n records in one read() and n responses in one
 * write() */
static int fault_round_trip(unsigned int n, unsigned int unused)
{
	ssize_t len = n * sizeof(records[0]);
	unsigned int i;

	for (i = 0; i != n; i++)
		if (trigger())
			return -1;
	if (read(fault_fd, records, len) != len)
		return -1;
	for (i = 0; i != n; i++) {
		responses[i].cookie = records[i].cookie;
		responses[i].code = IOMMUFD_PAGE_RESP_SUCCESS;
	}
	len = n * sizeof(responses[0]);
	return write(fault_fd, responses, len) == len ? 0 : -1;
}

/* ... with one response a write(), as QEMU sends them */
static int fault_round_trip_1w(unsigned int n, unsigned int unused)
{
	ssize_t len = n * sizeof(records[0]);
	unsigned int i;

	for (i = 0; i != n; i++)
		if (trigger())
			return -1;
	if (read(fault_fd, records, len) != len)
		return -1;
	for (i = 0; i != n; i++) {
		responses[i].cookie = records[i].cookie;
		responses[i].code = IOMMUFD_PAGE_RESP_SUCCESS;
		if (write(fault_fd, &responses[i], sizeof(responses[i])) !=
		    sizeof(responses[i]))
			return -1;
	}
	return 0;
}

/* The same bytes through the floor device: n records out, n responses in */
static int floor_rw(unsigned int n, unsigned int unused)
{
	ssize_t len = n * sizeof(records[0]);

	if (read(floor_fd, records, len) != len)
		return -1;
	len = n * sizeof(responses[0]);
	return write(floor_fd, responses, len) == len ? 0 : -1;
}

/* ... with one response a write() */
static int floor_rw_1w(unsigned int n, unsigned int unused)
{
	ssize_t len = n * sizeof(records[0]);
	unsigned int i;

	if (read(floor_fd, records, len) != len)
		return -1;
	for (i = 0; i != n; i++)
		if (write(floor_fd, &responses[i], sizeof(responses[i])) !=
		    sizeof(responses[i]))
			return -1;
	return 0;
}

static int hw_info(unsigned int n, unsigned int unused)
{
	struct iommu_test_hw_info data;
	struct iommu_hw_info cmd = {
		.size = sizeof(cmd),
		.dev_id = idev_id,
		.data_len = sizeof(data),
		.data_uptr = (uintptr_t)&data,
	};

	return ioctl(fd, IOMMU_GET_HW_INFO, &cmd);
}

#ifdef IOMMU_GET_UAPI_INFO
static int uapi_info(unsigned int n, unsigned int unused)
{
	static struct iommu_uapi_data_size sizes[64];
	struct iommu_uapi_info cmd = {
		.size = sizeof(cmd),
		.num_sizes = 64,
		.size_entry_len = sizeof(sizes[0]),
		.sizes_uptr = (uintptr_t)sizes,
	};

	return ioctl(fd, IOMMU_GET_UAPI_INFO, &cmd);
}
#endif

int main(void)
{
	static const unsigned int batches[] = { 1, 8, 64, 512, 4096 };
	const unsigned int len = sizeof(struct iommu_hwpt_invalidate_selftest);
	unsigned int i, n;

	setup();
	fill(len);
	for (i = 0; i != sizeof(batches) / sizeof(batches[0]); i++) {
		n = batches[i];
		row("floor", floor_copy, n, len, n * len);
		row("invalidate", invalidate, n, len, n * len);
	}
	row("invalidate_1x64", invalidate_singly, 64, len, 64 * len);
	for (n = 1; n <= FAULTS; n *= FAULTS) {
		row("floor_rw", floor_rw, n, 0,
		    n * (sizeof(records[0]) + sizeof(responses[0])));
		row("fault", fault_round_trip, n, 0,
		    n * (sizeof(records[0]) + sizeof(responses[0])));
	}
	row("floor_rw_1w", floor_rw_1w, FAULTS, 0,
	    FAULTS * (sizeof(records[0]) + sizeof(responses[0])));
	row("fault_1w", fault_round_trip_1w, FAULTS, 0,
	    FAULTS * (sizeof(records[0]) + sizeof(responses[0])));
	row("floor_info", floor_copy, 1, 0, 0);
	row("hw_info", hw_info, 1, 0, 0);
#ifdef IOMMU_GET_UAPI_INFO
	if (uapi_info(1, 0) == 0)
		row("uapi_info", uapi_info, 1, 0, 0);
	else
		printf("# IOMMU_GET_UAPI_INFO: %s\n", strerror(errno));
#endif
	printf("# done\n");
	return 0;
}
