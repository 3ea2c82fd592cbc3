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

/*
 * A step, as a TAP line: "ok N" and what the kernel answered, or "not ok N"
 * and what came back instead, which ends the story.
 */
static void step_line(int passed, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void step_line(int passed, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d ", passed ? "" : "not ", ++step);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!passed)
		exit(1);
}
#define ok(...) step_line(1, __VA_ARGS__)
#define fail(...) step_line(0, __VA_ARGS__)

#define STEPS 12

static const char *const names[64] = {
	[IOMMU_UAPI_DATA_VTD_S1] = "VTD_S1",
	[IOMMU_UAPI_DATA_VTD_S1_INVALIDATE] = "VTD_S1_INVALIDATE",
	[IOMMU_UAPI_DATA_PAGE_RESPONSE] = "PAGE_RESPONSE",
	[IOMMU_UAPI_DATA_PGFAULT] = "PGFAULT",
	[IOMMU_UAPI_DATA_VTD_HW_INFO] = "VTD_HW_INFO",
	[IOMMU_UAPI_DATA_VFIO_BIND_IOMMUFD] = "VFIO_BIND_IOMMUFD",
	[IOMMU_UAPI_DATA_VFIO_ATTACH_IOMMUFD_PT] = "VFIO_ATTACH_IOMMUFD_PT",
	[IOMMU_UAPI_DATA_VFIO_DETACH_IOMMUFD_PT] = "VFIO_DETACH_IOMMUFD_PT",
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
		fail("%s: %s", what, strerror(errno));
}

/* Which of the mock's iotlb entries the flushes cleared, a bit each */
static unsigned int flushed(__u32 hwpt_id)
{
	struct iommu_test_cmd cmd = { .id = hwpt_id };
	unsigned int i, mask = 0;

	for (i = 0; i != MOCK_NESTED_DOMAIN_IOTLB_NUM; i++) {
		cmd.check_iotlb.id = i;
		cmd.check_iotlb.iotlb = 0;
		cmd.size = sizeof(cmd);
		cmd.op = IOMMU_TEST_OP_MD_CHECK_IOTLB;
		if (!ioctl(fd, IOMMU_TEST_CMD, &cmd))
			mask |= 1U << i;
	}
	return mask;
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
	struct iommu_hwpt_invalidate_selftest inv[BATCH] = {};
	struct iommu_hwpt_invalidate flush = {
		.size = sizeof(flush),
		.data_uptr = (uintptr_t)inv,
		.data_type = IOMMU_HWPT_INVALIDATE_DATA_SELFTEST,
		.entry_len = sizeof(inv[0]),
		.entry_num = BATCH,
	};
	const __u64 want = IOMMU_UAPI_CAP_PGFAULT | IOMMU_UAPI_CAP_PAGE_RESPONSE;
	struct iommu_hwpt_page_response resp = {};
	struct iommu_hwpt_pgfault rec;
	struct iommu_test_cmd cmd = {};
	__u32 stdev_id, idev_id, i, n;
	int rec_size = 0, resp_size = 0, err;
	unsigned int mask;

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("1..%d\n", STEPS);
	fd = open("/dev/iommu", O_RDWR);
	if (fd < 0)
		fail("open /dev/iommu: %s", strerror(errno));
	if (ioctl(fd, IOMMU_IOAS_ALLOC, &ioas))
		fail("IOMMU_IOAS_ALLOC: %s", strerror(errno));
	cmd.id = ioas.out_ioas_id;
	test_cmd(IOMMU_TEST_OP_MOCK_DOMAIN, &cmd, "a mock device");
	stdev_id = cmd.mock_domain.out_stdev_id;
	idev_id = cmd.mock_domain.out_idev_id;
	ok("the guest's device is bound to iommufd: device %u (the mock's), on IOAS %u",
	   idev_id, ioas.out_ioas_id);

	/* 1. Probe the kernel, then the device */
	if (ioctl(fd, IOMMU_GET_UAPI_INFO, &info))
		fail("IOMMU_GET_UAPI_INFO: %s", strerror(errno));
	if (info.out_version < IOMMU_UAPI_VERSION ||
	    (info.out_capabilities & want) != want)
		fail("IOMMU_GET_UAPI_INFO: version %u, kernel knows %s",
		     info.out_version, cap_names(info.out_capabilities));
	n = info.num_sizes < 64 ? info.num_sizes : 64;
	for (i = 0; i != n; i++)
		if (sizes[i].version != IOMMU_UAPI_VERSION)
			continue;
		else if (sizes[i].type == IOMMU_UAPI_DATA_PGFAULT)
			rec_size = sizes[i].size;
		else if (sizes[i].type == IOMMU_UAPI_DATA_PAGE_RESPONSE)
			resp_size = sizes[i].size;
	ok("IOMMU_GET_UAPI_INFO: IOMMU UAPI version %u, %u sizes; kernel knows %s",
	   info.out_version, info.num_sizes, cap_names(info.out_capabilities));
	info.flags = IOMMU_UAPI_INFO_FLAG_DEVICE;
	info.dev_id = idev_id;
	info.num_sizes = 64;
	if (ioctl(fd, IOMMU_GET_UAPI_INFO, &info))
		fail("IOMMU_GET_UAPI_INFO for device %u: %s", idev_id,
		     strerror(errno));
	ok("IOMMU_GET_UAPI_INFO, device %u: its IOMMU driver takes %s",
	   idev_id, cap_names(info.out_capabilities));
	if ((info.out_capabilities & want) != want ||
	    rec_size != sizeof(rec) || resp_size != sizeof(resp))
		fail("decide: the device's driver takes %s; fault records of %d bytes, page responses of %d (this VMM's: %zu, %zu)",
		     cap_names(info.out_capabilities), rec_size, resp_size,
		     sizeof(rec), sizeof(resp));
	ok("decide: the device's driver takes fault records and page responses, of this VMM's sizes (%d, %d bytes); its stage-1 format is the mock's own, not ABI: offer the guest nested translation with I/O page faults",
	   rec_size, resp_size);

	/* 2. The nesting parent, the fault queue, the guest's stage-1 */
	parent.dev_id = idev_id;
	parent.pt_id = ioas.out_ioas_id;
	if (ioctl(fd, IOMMU_HWPT_ALLOC, &parent))
		fail("IOMMU_HWPT_ALLOC NEST_PARENT: %s", strerror(errno));
	ok("IOMMU_HWPT_ALLOC NEST_PARENT on IOAS %u: stage-2 HWPT %u",
	   ioas.out_ioas_id, parent.out_hwpt_id);
	if (ioctl(fd, IOMMU_FAULT_QUEUE_ALLOC, &fault))
		fail("IOMMU_FAULT_QUEUE_ALLOC: %s", strerror(errno));
	ok("IOMMU_FAULT_QUEUE_ALLOC: fault queue %u, fd %u", fault.out_fault_id,
	   fault.out_fault_fd);
	nested.dev_id = idev_id;
	nested.pt_id = parent.out_hwpt_id;
	nested.fault_id = fault.out_fault_id;
	if (ioctl(fd, IOMMU_HWPT_ALLOC, &nested))
		fail("IOMMU_HWPT_ALLOC nested: %s", strerror(errno));
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
	test_cmd(IOMMU_TEST_OP_TRIGGER_IOPF, &cmd, "a fault");
	memset(&rec, 0, sizeof(rec));
	if (read(fault.out_fault_fd, &rec, sizeof(rec)) != sizeof(rec) ||
	    rec.dev_id != idev_id || rec.pasid != 1 || rec.grpid != 2 ||
	    rec.addr != 0xdeadb000 || rec.perm != IOMMU_PGFAULT_PERM_READ ||
	    !(rec.flags & IOMMU_PGFAULT_FLAGS_PASID_VALID))
		fail("read() of the fault record: device %u pasid %u group %u addr 0x%llx perm 0x%x flags 0x%x",
		     rec.dev_id, rec.pasid, rec.grpid,
		     (unsigned long long)rec.addr, rec.perm, rec.flags);
	ok("the device faults; read(): a %zu-byte record, device %u pasid %u group %u addr 0x%llx, read, cookie %u",
	   sizeof(rec), rec.dev_id, rec.pasid, rec.grpid,
	   (unsigned long long)rec.addr, rec.cookie);
	resp.cookie = rec.cookie;
	resp.code = IOMMUFD_PAGE_RESP_SUCCESS;
	if (write(fault.out_fault_fd, &resp, sizeof(resp)) != sizeof(resp))
		fail("write() of the page response: %s", strerror(errno));
	/* The fault is answered: the same cookie again answers nothing */
	if (write(fault.out_fault_fd, &resp, sizeof(resp)) != -1 ||
	    errno != EINVAL)
		fail("write() of the page response again: not EINVAL");
	ok("the guest answered the fault; write(): cookie %u, SUCCESS, %zu bytes taken (again: EINVAL, nothing pending)",
	   resp.cookie, sizeof(resp));

	/*
	 * 4. A batch of IOTLB flushes with one bad entry: entries 0 to 5
	 * flush iotlb 0 and 1, entry 6 an iotlb the mock does not have,
	 * entries 7 to 9 iotlb 2 and 3.
	 */
	for (i = 0; i != BATCH; i++)
		inv[i].iotlb_id = i < BAD ? i % 2 : 2 + i % 2;
	inv[BAD].iotlb_id = MOCK_NESTED_DOMAIN_IOTLB_ID_MAX + 1;
	flush.hwpt_id = nested.out_hwpt_id;
	err = ioctl(fd, IOMMU_HWPT_INVALIDATE, &flush) ? errno : 0;
	mask = flushed(nested.out_hwpt_id);
	if (err != EINVAL || flush.entry_num != BAD || mask != 0x3)
		fail("IOMMU_HWPT_INVALIDATE %d entries, entry %d bad: %s, entry_num %u, iotlbs flushed 0x%x",
		     BATCH, BAD, strerror(err), flush.entry_num, mask);
	ok("IOMMU_HWPT_INVALIDATE %d entries, entry %d bad (iotlb %u): EINVAL, entry_num %u: entries 0-%d done (iotlb 0, 1 flushed), %d to %d not (2, 3 not)",
	   BATCH, BAD, inv[BAD].iotlb_id, flush.entry_num, BAD - 1, BAD,
	   BATCH - 1);
	flush.data_uptr = (uintptr_t)&inv[BAD + 1];
	flush.entry_num = BATCH - BAD - 1;
	err = ioctl(fd, IOMMU_HWPT_INVALIDATE, &flush) ? errno : 0;
	mask = flushed(nested.out_hwpt_id);
	if (err || flush.entry_num != BATCH - BAD - 1 || mask != 0xf)
		fail("IOMMU_HWPT_INVALIDATE of entries %d to %d: %s, entry_num %u, iotlbs flushed 0x%x",
		     BAD + 1, BATCH - 1, strerror(err), flush.entry_num, mask);
	ok("the guest is told of entry %d's error (VT-d: an invalidation queue error), skips it, and the VMM sends entries %d to %d: done, entry_num %u (iotlb 2, 3 flushed)",
	   BAD, BAD + 1, BATCH - 1, flush.entry_num);
	return 0;
}
