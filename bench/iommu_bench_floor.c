// SPDX-License-Identifier: GPL-2.0-only
/*
 * make bench's floor: /dev/iommu_bench_floor moves bytes across the
 * user/kernel boundary as the measured calls do, and does nothing else.
 *   ioctl(IOMMU_BENCH_FLOOR, &{len, uptr}): the header, then len bytes from
 *     uptr, as IOMMU_HWPT_INVALIDATE reads its header and its array
 *   write(): the bytes from user space, as a page-response write()
 *   read(): zeros to user space, as a fault record read()
 * Built by scripts/bench.sh against each kernel it measures.
 */
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/uaccess.h>

#define FLOOR_MAX (64 * 1024)

struct iommu_bench_floor {
	__u32 size;
	__u32 len;
	__aligned_u64 uptr;
};

#define IOMMU_BENCH_FLOOR _IOW('F', 0, struct iommu_bench_floor)

static char buf[FLOOR_MAX];

static long floor_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct iommu_bench_floor f;

	if (cmd != IOMMU_BENCH_FLOOR)
		return -ENOTTY;
	if (copy_from_user(&f, (void __user *)arg, sizeof(f)))
		return -EFAULT;
	if (f.len > FLOOR_MAX)
		return -EINVAL;
	if (copy_from_user(buf, u64_to_user_ptr(f.uptr), f.len))
		return -EFAULT;
	return 0;
}

static ssize_t floor_write(struct file *file, const char __user *ubuf,
			   size_t count, loff_t *ppos)
{
	count = min_t(size_t, count, FLOOR_MAX);
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	return count;
}

static ssize_t floor_read(struct file *file, char __user *ubuf, size_t count,
			  loff_t *ppos)
{
	static const char zeros[FLOOR_MAX];

	count = min_t(size_t, count, FLOOR_MAX);
	if (copy_to_user(ubuf, zeros, count))
		return -EFAULT;
	return count;
}

static const struct file_operations floor_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = floor_ioctl,
	.write = floor_write,
	.read = floor_read,
};

static struct miscdevice floor_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "iommu_bench_floor",
	.fops = &floor_fops,
};

module_misc_device(floor_dev);
MODULE_DESCRIPTION("make bench: the cost of moving bytes, and nothing else");
MODULE_LICENSE("GPL");
