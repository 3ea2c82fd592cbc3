// SPDX-License-Identifier: GPL-2.0-only
/*
 * The inputs of abi/changes-from-$BASE that no kselftest of the base asks,
 * asked of a kernel by a program built against the base's headers: one line
 * "NAME = ANSWER" each, the answer being 0, an errno name, or what the
 * kernel returned. scripts/oldabi.sh runs it on the base kernel and on the
 * series' and compares the answers as it compares the kselftests' results.
 * It expects nothing itself.
 *
 * Needs iommufd's selftest mock driver (CONFIG_IOMMUFD_TEST) and no vIOMMU:
 * the mock VM.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/iommufd.h>
#include <linux/vfio.h>
#include "iommufd_test.h"

static int fd;

static const char *answer(int rc)
{
	static char buf[32];

	if (!rc)
		return "0";
	switch (errno) {
	case EINVAL: return "-EINVAL";
	case E2BIG: return "-E2BIG";
	case EFAULT: return "-EFAULT";
	case ENOTTY: return "-ENOTTY";
	case EOPNOTSUPP: return "-EOPNOTSUPP";
	case ENOENT: return "-ENOENT";
	case EMSGSIZE: return "-EMSGSIZE";
	}
	snprintf(buf, sizeof(buf), "-%d", errno);
	return buf;
}

static int hwpt_alloc(__u32 dev_id, __u32 pt_id, __u32 flags, __u32 type,
		      void *data, __u32 len, __u32 *id)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd), .flags = flags, .dev_id = dev_id,
		.pt_id = pt_id, .data_type = type, .data_len = len,
		.data_uptr = (uintptr_t)data,
	};
	int rc = ioctl(fd, IOMMU_HWPT_ALLOC, &cmd);

	if (id)
		*id = cmd.out_hwpt_id;
	return rc;
}

/* IOMMU_HWPT_INVALIDATE of one entry of @len bytes: the answer, entry_num */
static void invalidate(const char *name, __u32 hwpt_id, void *entry, __u32 len)
{
	struct iommu_hwpt_invalidate cmd = {
		.size = sizeof(cmd), .hwpt_id = hwpt_id,
		.data_uptr = (uintptr_t)entry,
		.data_type = IOMMU_HWPT_INVALIDATE_DATA_SELFTEST,
		.entry_len = len, .entry_num = 1,
	};
	int rc = ioctl(fd, IOMMU_HWPT_INVALIDATE, &cmd);

	printf("%s = %s, entry_num %u\n", name, answer(rc), cmd.entry_num);
}

/* VFIO_IOMMU_GET_INFO: the argsz the chain needs, then the chain's ids */
static void get_info(void)
{
	static __u8 buf[4096];
	struct vfio_iommu_type1_info *info = (void *)buf;
	struct vfio_info_cap_header *cap;
	__u32 off;
	int rc;

	memset(buf, 0, sizeof(buf));
	info->argsz = sizeof(*info);
	rc = ioctl(fd, VFIO_IOMMU_GET_INFO, info);
	printf("get_info.argsz_needed = %s, %u\n", answer(rc), info->argsz);
	memset(buf, 0, sizeof(buf));
	info->argsz = sizeof(buf);
	rc = ioctl(fd, VFIO_IOMMU_GET_INFO, info);
	printf("get_info.caps = %s", answer(rc));
	for (off = info->cap_offset; !rc && off && off < sizeof(buf) - sizeof(*cap);
	     off = cap->next) {
		cap = (void *)(buf + off);
		printf(", id %u", cap->id);
	}
	printf("\n");
}

int main(void)
{
	struct iommu_ioas_alloc ioas = { .size = sizeof(ioas) };
	struct iommu_test_cmd mock = {
		.size = sizeof(mock), .op = IOMMU_TEST_OP_MOCK_DOMAIN,
	};
	struct iommu_vfio_ioas compat = {
		.size = sizeof(compat), .op = IOMMU_VFIO_IOAS_SET,
	};
	__u8 data[4096 + 64] = {};
	struct iommu_hwpt_selftest *s = (void *)data;
	struct iommu_hwpt_invalidate_selftest *inv = (void *)data;
	__u32 parent, nested, id, nr;

	fd = open("/dev/iommu", O_RDWR);
	if (fd < 0 || ioctl(fd, IOMMU_IOAS_ALLOC, &ioas)) {
		perror("/dev/iommu");
		return 1;
	}
	mock.id = ioas.out_ioas_id;
	if (ioctl(fd, IOMMU_TEST_CMD, &mock) ||
	    hwpt_alloc(mock.mock_domain.out_idev_id, ioas.out_ioas_id,
		       IOMMU_HWPT_ALLOC_NEST_PARENT, IOMMU_HWPT_DATA_NONE, NULL,
		       0, &parent)) {
		perror("mock device, nesting parent");
		return 1;
	}

	/* Driver data of IOMMU_HWPT_ALLOC, the mock's nested domain */
	s->iotlb = 0;
#define ALLOC(name, len)                                                     \
	printf("hwpt_alloc.%s = %s\n", name,                                 \
	       answer(hwpt_alloc(mock.mock_domain.out_idev_id, parent, 0,    \
				 IOMMU_HWPT_DATA_SELFTEST, data, len, &id)))
	ALLOC("sizeof", sizeof(*s));
	ALLOC("sizeof+8_zero_tail", sizeof(*s) + 8);
	data[sizeof(*s) + 7] = 1;
	ALLOC("sizeof+8_nonzero_tail", sizeof(*s) + 8);
	data[sizeof(*s) + 7] = 0;
	ALLOC("page_size+1", sysconf(_SC_PAGESIZE) + 1);
	printf("hwpt_alloc.sizeof+8_unreadable_tail = %s\n",
	       answer(hwpt_alloc(mock.mock_domain.out_idev_id, parent, 0,
				 IOMMU_HWPT_DATA_SELFTEST, (void *)8, 12, &id)));

	/* Invalidation entries, on a nested domain of the mock */
	if (hwpt_alloc(mock.mock_domain.out_idev_id, parent, 0,
		       IOMMU_HWPT_DATA_SELFTEST, data, sizeof(*s), &nested)) {
		perror("nested domain");
		return 1;
	}
	inv->flags = 0;
	inv->iotlb_id = 0;
	invalidate("invalidate.sizeof", nested, data, sizeof(*inv));
	invalidate("invalidate.sizeof+4_zero_tail", nested, data, sizeof(*inv) + 4);
	data[sizeof(*inv) + 3] = 1;
	invalidate("invalidate.sizeof+4_nonzero_tail", nested, data,
		   sizeof(*inv) + 4);
	data[sizeof(*inv) + 3] = 0;
	invalidate("invalidate.page_size+1", nested, data,
		   sysconf(_SC_PAGESIZE) + 1);

	/* The legacy container's GET_INFO, on iommufd's compat container */
	compat.ioas_id = ioas.out_ioas_id;
	if (ioctl(fd, IOMMU_VFIO_IOAS, &compat))
		perror("IOMMU_VFIO_IOAS");
	get_info();

	/*
	 * The iommufd ioctl numbers from 0x8f, with an unreadable argument,
	 * and past 7.3's last (0x95) with a zeroed one of 64 bytes
	 */
	for (nr = 0x8f; nr <= 0xb0; nr++)
		printf("ioctl_nr_0x%x.null = %s\n", nr,
		       answer(ioctl(fd, _IO(IOMMUFD_TYPE, nr), NULL)));
	for (nr = 0x96; nr <= 0x9f; nr++) {
		memset(data, 0, 64);
		*(__u32 *)data = 64;
		printf("ioctl_nr_0x%x.zero = %s\n", nr,
		       answer(ioctl(fd, _IO(IOMMUFD_TYPE, nr), data)));
	}
	return 0;
}
