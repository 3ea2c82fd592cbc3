# The IOMMU UAPI series and its harness. See README.md.
#   make run     build, boot the VMs, show the series at work (the main job)
#   make check   every gate and test; ends "N passed, N failed"
#   make bench   the series' hot paths beside the base's, timed (not in check)
#   make tree    the base + patches/ in work/7.3/linux
#   make export  work/7.3/linux's commits back to patches/
#   make build   the kernel, the selftests and the initramfs
#   make vm-mock / vm-vtd / vm-virtio / vm-noiommu   boot one VM profile
#   make vm-kunit  the KUnit suites alone, in the mock VM
#   make vm-vmm  QEMU 11.1 takes edu through VFIO in the vtd VM
#   make vm-dist  the distribution-shaped kernel (VFIO=m, type1) in the vtd VM
#   make oldabi  the base's kselftests on the base kernel and on the series'
.PHONY: run check bench deps tree build export vm-mock vm-vtd vm-virtio vm-noiommu vm-vmm vm-kunit vm-dist oldabi clean

# the base's work directory, as scripts/lib.sh has it
WORKDIR := work/7.3

run:
	@scripts/run.sh
check:
	@scripts/check.sh
bench:
	@scripts/bench.sh
deps:
	@scripts/deps.sh
tree: deps
	@scripts/tree.sh
build: tree
	@scripts/build.sh
export:
	@scripts/export.sh
oldabi: build
	@scripts/oldabi.sh
vm-mock vm-vtd vm-virtio vm-noiommu: build
	@scripts/vm.sh $(@:vm-%=%)
vm-vmm: build
	@scripts/vm.sh vtd vmm
vm-kunit: build
	@scripts/vm.sh mock kunit
vm-dist: build
	@scripts/kernels.sh dist
	@VM_NAME=dist KERNEL=$(WORKDIR)/dist/bzImage INITRD=$(WORKDIR)/dist/initramfs.cpio.gz \
		scripts/vm.sh vtd dist
clean:
	rm -rf work/7.3/build work/7.3/build-* work/7.3/findings work/7.3/dist \
		work/7.3/logs
