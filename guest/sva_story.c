// SPDX-License-Identifier: GPL-2.0-only
/*
 * make run's story: guest SVA bring-up as a VMM drives it, on iommufd's
 * selftest mock driver. Each step is one TAP line, "ok N" or "not ok N",
 * saying what the VMM asked and what the kernel answered; the program
 * stops at the first step that does not go as the series documents.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/iommu.h>
#include <linux/iommufd.h>
#include "iommufd_test.h"

#define BATCH 10
#define BAD 6

static int fd, step;

static void ok(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void ok(const char *fmt, ...)
{
	va_list ap;

	printf("ok %d ", ++step);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static void fail(const char *what)
{
	step++;
	printf("not ok %d %s: %s\n1..%d\n", step, what, strerror(errno), step);
	exit(1);
}

static const char *const names[64] = {
	[IOMMU_UAPI_DATA_VTD_S1] = "VTD_S1",
	[IOMMU_UAPI_DATA_VTD_S1_INVALIDATE] = "VTD_S1_INVALIDATE",
	[IOMMU_UAPI_DATA_PAGE_RESPONSE] = "PAGE_RESPONSE",
	[IOMMU_UAPI_DATA_PGFAULT] = "PGFAULT",
	[IOMMU_UAPI_DATA_VTD_HW_INFO] = "VTD_HW_INFO",
	[IOMMU_UAPI_DATA_VFIO_BIND_IOMMUFD] = "VFIO_BIND_IOMMUFD",
	[IOMMU_UAPI_DATA_VFIO_ATTACH_IOMMUFD_PT] = "VFIO_ATTACH_IOMMUFD_PT",
	[IOMMU_UAPI_DATA_VFIO_DETACH_IOMMUFD_PT] = "VFIO_DETACH_IOMMUFD_PT",
	[IOMMU_UAPI_DATA_SELFTEST] = "SELFTEST",
	[IOMMU_UAPI_DATA_SELFTEST_INVALIDATE] = "SELFTEST_INVALIDATE",
	[IOMMU_UAPI_DATA_SELFTEST_HW_INFO] = "SELFTEST_HW_INFO",
};

/* The names of the bits of @caps, space-separated */
static const char *cap_names(__u64 caps)
{
	static char buf[512];
	size_t len = 0;
	int t;

	buf[0] = 0;
	for (t = 0; t != 64; t++)
		if (caps & (1ULL << t))
			len += snprintf(buf + len, sizeof(buf) - len, "%s%s",
					len ? " " : "",
					names[t] ? names[t] : "?");
	return buf;
}

static void test_cmd(__u32 op, struct iommu_test_cmd *cmd, const char *what)
{
	cmd->size = sizeof(*cmd);
	cmd->op = op;
	if (ioctl(fd, IOMMU_TEST_CMD, cmd))
		fail(what);
}

static void fill_inv(struct iommu_hwpt_invalidate_selftest *inv)
{
	int i;

	memset(inv, 0, BATCH * sizeof(*inv));
	for (i = 0; i != BATCH; i++)
		inv[i].iotlb_id = i % (MOCK_NESTED_DOMAIN_IOTLB_ID_MAX + 1);
}

int main(void)
{
	static struct iommu_uapi_data_size sizes[64];
	struct iommu_ioas_alloc ioas = { .size = sizeof(ioas) };
	struct iommu_uapi_info info = {
		.size = sizeof(info),
		.num_sizes = 64,
		.size_entry_len = sizeof(sizes[0]),
		.sizes_uptr = (uintptr_t)sizes,
	};
	struct iommu_hwpt_alloc parent = {
		.size = sizeof(parent),
		.flags = IOMMU_HWPT_ALLOC_NEST_PARENT,
	};
	struct iommu_hwpt_selftest s1 = { .iotlb = IOMMU_TEST_IOTLB_DEFAULT };
	struct iommu_fault_alloc fault = { .size = sizeof(fault) };
	struct iommu_hwpt_alloc nested = {
		.size = sizeof(nested),
		.flags = IOMMU_HWPT_FAULT_ID_VALID,
		.data_type = IOMMU_HWPT_DATA_SELFTEST,
		.data_len = sizeof(s1),
		.data_uptr = (uintptr_t)&s1,
	};
	struct iommu_hwpt_invalidate_selftest inv[BATCH];
	struct iommu_hwpt_invalidate flush = {
		.size = sizeof(flush),
		.data_uptr = (uintptr_t)inv,
		.data_type = IOMMU_HWPT_INVALIDATE_DATA_SELFTEST,
		.entry_len = sizeof(inv[0]),
		.entry_num = BATCH,
	};
	const __u64 want = 1ULL << IOMMU_UAPI_DATA_SELFTEST |
			   1ULL << IOMMU_UAPI_DATA_SELFTEST_INVALIDATE |
			   IOMMU_UAPI_CAP_PGFAULT | IOMMU_UAPI_CAP_PAGE_RESPONSE;
	struct iommu_hwpt_page_response resp = {};
	struct iommu_hwpt_pgfault rec;
	struct iommu_test_cmd cmd = {};
	__u32 stdev_id, idev_id, i;
	int err;

	setvbuf(stdout, NULL, _IOLBF, 0);
	fd = open("/dev/iommu", O_RDWR);
	if (fd < 0)
		fail("open /dev/iommu");
	if (ioctl(fd, IOMMU_IOAS_ALLOC, &ioas))
		fail("IOMMU_IOAS_ALLOC");
	cmd.id = ioas.out_ioas_id;
	test_cmd(IOMMU_TEST_OP_MOCK_DOMAIN, &cmd, "mock device");
	stdev_id = cmd.mock_domain.out_stdev_id;
	idev_id = cmd.mock_domain.out_idev_id;
	ok("the guest's device is bound to iommufd: device %u (the mock's), on IOAS %u",
	   idev_id, ioas.out_ioas_id);

	/* 1. Probe the kernel, then the device */
	if (ioctl(fd, IOMMU_GET_UAPI_INFO, &info))
		fail("IOMMU_GET_UAPI_INFO");
	ok("IOMMU_GET_UAPI_INFO: IOMMU UAPI version %u, %u sizes; kernel knows %s",
	   info.out_version, info.num_sizes, cap_names(info.out_capabilities));
	info.flags = IOMMU_UAPI_INFO_FLAG_DEVICE;
	info.dev_id = idev_id;
	info.num_sizes = 64;
	if (ioctl(fd, IOMMU_GET_UAPI_INFO, &info))
		fail("IOMMU_GET_UAPI_INFO for the device");
	ok("IOMMU_GET_UAPI_INFO, device %u: its IOMMU driver takes %s",
	   idev_id, cap_names(info.out_capabilities));
	for (i = 0; i != info.num_sizes; i++)
		if (sizes[i].type == IOMMU_UAPI_DATA_SELFTEST_INVALIDATE &&
		    sizes[i].version == IOMMU_UAPI_VERSION)
			flush.entry_len = sizes[i].size;
	if ((info.out_capabilities & want) != want) {
		errno = EOPNOTSUPP;
		fail("the device cannot do nested translation with faults");
	}
	ok("decide: expose nested translation with I/O page faults to the guest (stage-1 and invalidation of the mock's type, fault records, page responses); invalidation entries of %u bytes",
	   flush.entry_len);

	/* 2. The nesting parent, the fault queue, the guest's stage-1 */
	parent.dev_id = idev_id;
	parent.pt_id = ioas.out_ioas_id;
	if (ioctl(fd, IOMMU_HWPT_ALLOC, &parent))
		fail("IOMMU_HWPT_ALLOC nesting parent");
	ok("IOMMU_HWPT_ALLOC NEST_PARENT on IOAS %u: stage-2 HWPT %u",
	   ioas.out_ioas_id, parent.out_hwpt_id);
	if (ioctl(fd, IOMMU_FAULT_QUEUE_ALLOC, &fault))
		fail("IOMMU_FAULT_QUEUE_ALLOC");
	ok("IOMMU_FAULT_QUEUE_ALLOC: fault queue %u, fd %u", fault.out_fault_id,
	   fault.out_fault_fd);
	nested.dev_id = idev_id;
	nested.pt_id = parent.out_hwpt_id;
	nested.fault_id = fault.out_fault_id;
	if (ioctl(fd, IOMMU_HWPT_ALLOC, &nested))
		fail("IOMMU_HWPT_ALLOC nested");
	ok("IOMMU_HWPT_ALLOC the guest's stage-1 (%zu bytes of data) on HWPT %u, faults to queue %u: nested HWPT %u",
	   sizeof(s1), parent.out_hwpt_id, fault.out_fault_id,
	   nested.out_hwpt_id);
	memset(&cmd, 0, sizeof(cmd));
	cmd.id = stdev_id;
	cmd.mock_domain_replace.pt_id = nested.out_hwpt_id;
	test_cmd(IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE, &cmd, "attach");
	ok("attach device %u to nested HWPT %u", idev_id, nested.out_hwpt_id);

	/* 3. An I/O page fault, and its answer */
	memset(&cmd, 0, sizeof(cmd));
	cmd.trigger_iopf.dev_id = idev_id;
	cmd.trigger_iopf.pasid = 1;
	cmd.trigger_iopf.grpid = 2;
	cmd.trigger_iopf.perm = IOMMU_PGFAULT_PERM_READ;
	cmd.trigger_iopf.addr = 0xdeadb000;
	test_cmd(IOMMU_TEST_OP_TRIGGER_IOPF, &cmd, "fault");
	if (read(fault.out_fault_fd, &rec, sizeof(rec)) != sizeof(rec))
		fail("read() of the fault record");
	ok("the device faults; read(): a %zu-byte record, device %u pasid %u group %u addr 0x%llx perm %s, cookie %u",
	   sizeof(rec), rec.dev_id, rec.pasid, rec.grpid,
	   (unsigned long long)rec.addr,
	   rec.perm == IOMMU_PGFAULT_PERM_READ ? "read" : "other", rec.cookie);
	resp.cookie = rec.cookie;
	resp.code = IOMMUFD_PAGE_RESP_SUCCESS;
	if (write(fault.out_fault_fd, &resp, sizeof(resp)) != sizeof(resp))
		fail("write() of the page response");
	ok("the guest mapped the page; write(): response to cookie %u, SUCCESS, %zu bytes taken",
	   resp.cookie, sizeof(resp));

	/* 4. A batch of IOTLB flushes with one bad entry */
	fill_inv(inv);
	inv[BAD].iotlb_id = MOCK_NESTED_DOMAIN_IOTLB_ID_MAX + 1;
	flush.hwpt_id = nested.out_hwpt_id;
	err = ioctl(fd, IOMMU_HWPT_INVALIDATE, &flush) ? errno : 0;
	if (err != EINVAL || flush.entry_num != BAD) {
		errno = err;
		fail("IOMMU_HWPT_INVALIDATE of a batch with a bad entry");
	}
	ok("IOMMU_HWPT_INVALIDATE %d entries, entry %d bad (iotlb %u): EINVAL, entry_num %u: entries 0-%d done, %d to %d not",
	   BATCH, BAD, inv[BAD].iotlb_id, flush.entry_num, BAD - 1, BAD,
	   BATCH - 1);
	flush.data_uptr = (uintptr_t)&inv[BAD + 1];
	flush.entry_num = BATCH - BAD - 1;
	if (ioctl(fd, IOMMU_HWPT_INVALIDATE, &flush) ||
	    flush.entry_num != BATCH - BAD - 1)
		fail("IOMMU_HWPT_INVALIDATE of the rest");
	ok("the VMM reports entry %d's error to the guest and sends the %d after it: done, entry_num %u",
	   BAD, BATCH - BAD - 1, flush.entry_num);
	printf("1..%d\n", step);
	return 0;
}
