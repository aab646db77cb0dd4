#!/bin/busybox sh
# /init of the memcg-lab VM runner's initramfs (embedded into memcg-lab at
# build time). The host passes its choices on the kernel command line:
#   memcg_lab.cgroup=v1|v2  memcg_lab.swap=zram|disk|none  memcg_lab.swapsize=SIZE
#   memcg_lab.mglru=on|off|kernel  memcg_lab.cgroup_opts=OPT,OPT (cgroup2 mount
#   options: memory_recursiveprot, memory_localevents)  memcg_lab.zswap=on|off|kernel
#   memcg_lab.results=console (send the results on the console, for a lab
#   whose QEMU has one serial port, such as LAVA; default: the second port)
# and the arguments for `memcg-lab run` in /run-args, one a line. The console
# (ttyS0) carries the log and the KTAP; the results directory goes back as a
# gzip'd tar in base64 lines prefixed "MLR:" between two marker lines, on the
# second serial port (ttyS1), or after the KTAP on the console.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /dev/shm /run /tmp /var/tmp /results /sys/fs/cgroup
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /results

say() { echo "memcg-lab-vm: $*"; }
up() { cut -d' ' -f1 /proc/uptime; }
arg() { sed -n "s/.*memcg_lab\.$1=\([^ ]*\).*/\1/p" /proc/cmdline; }
port=/dev/ttyS1
[ "$(arg results)" = console ] && port=/dev/console
# send: stdin to the host, as base64 lines between the markers (the prefix
# finds them inside a lab's log, whatever it puts around a console line)
send() {
	echo "MEMCG-LAB-RESULTS-BEGIN" >$port
	base64 | sed 's/^/MLR:/' >$port
	echo "MEMCG-LAB-RESULTS-END" >$port
}
# where the guest's time goes, in seconds of uptime: sent to the host after
# the results (vm.json "phases")
t_init=$(up)
fail() {
	say "error: $*"
	echo "error: $*" | send
	poweroff -f
}

# modules the host chose and ordered (dependencies first)
for m in /modules/*.ko; do
	[ -e "$m" ] && insmod "$m" 2>/dev/null
done
t_modules=$(up)

# a real disk filesystem: page cache must be page cache (not ramfs), and
# swap files need a filesystem that can hold them
[ -b /dev/vda ] || fail "no virtio disk (/dev/vda)"
# (formatted by the host; a blank one here, which takes a second under
# emulation; one inode per 256K: the scenarios make few files)
if ! mount -t ext2 /dev/vda /var/tmp 2>/dev/null; then
	mke2fs -q -i 262144 /dev/vda >/dev/null 2>&1 || fail "mke2fs /dev/vda failed"
	mount -t ext2 /dev/vda /var/tmp || fail "mount /dev/vda failed"
fi
t_disk=$(up)

cgroup=$(arg cgroup)
skip_all=
case "$cgroup" in
v2)
	opts=$(arg cgroup_opts)
	mount -t cgroup2 ${opts:+-o "$opts"} cgroup2 /sys/fs/cgroup ||
		fail "cannot mount cgroup2${opts:+ with $opts}"
	grep -qw memory /sys/fs/cgroup/cgroup.controllers || fail "cgroup2 has no memory controller"
	# what systemd does on a v2 host: delegate memory below the root
	echo +memory >/sys/fs/cgroup/cgroup.subtree_control || fail "cannot enable memory"
	;;
v1)
	mount -t tmpfs cgroup /sys/fs/cgroup
	mkdir -p /sys/fs/cgroup/memory
	# a kernel built without the v1 memory controller (CONFIG_MEMCG_V1 off,
	# possible since 6.11) refuses the mount: every scenario is a named skip
	if ! why=$(mount -t cgroup -o memory memory /sys/fs/cgroup/memory 2>&1); then
		grep -qw memory /proc/cgroups || fail "the kernel has no memory controller at all"
		skip_all="this kernel has no cgroup v1 memory controller: mounting it fails (${why##*: }); built without CONFIG_MEMCG_V1"
	fi
	;;
*) fail "memcg_lab.cgroup must be v1 or v2" ;;
esac

# the multi-gen LRU as asked (it decides how reclaim treats soft limits
# and protection); "kernel" leaves it as the kernel booted
lru=/sys/kernel/mm/lru_gen/enabled
case "$(arg mglru)" in
on) [ -e $lru ] && echo y >$lru || fail "--mglru on: this kernel has no multi-gen LRU" ;;
off) [ ! -e $lru ] || echo n >$lru || fail "--mglru off: cannot switch the multi-gen LRU off" ;;
esac

# zswap (a compressed cache in front of the swap device) as asked
zs=/sys/module/zswap/parameters/enabled
case "$(arg zswap)" in
on) [ -e $zs ] && echo Y >$zs || fail "--zswap on: this kernel has no zswap (CONFIG_ZSWAP)" ;;
off) [ ! -e $zs ] || echo N >$zs || fail "--zswap off: cannot switch zswap off" ;;
esac

# the loopback interface, for workloads that use sockets
ip link set lo up 2>/dev/null

swap=none
case "$(arg swap)" in
zram)
	size=$(arg swapsize)
	[ -e /sys/block/zram0 ] || fail "no zram device (module missing?)"
	echo "${size:-256M}" >/sys/block/zram0/disksize || fail "zram disksize"
	mkswap /dev/zram0 >/dev/null && swapon /dev/zram0 || fail "swapon zram0"
	;;
disk) swap=auto ;; # memcg-lab adds a swap file on /var/tmp (the virtio disk)
none) ;;
esac

set --
while IFS= read -r a; do set -- "$@" "$a"; done </run-args
t_start=$(up)
say "start $t_start cgroup $cgroup swap $(arg swap)"
# from here the console carries the KTAP that a lab reads: kernel messages
# (OOM reports) stay in the kernel log, which the scenarios read, and only
# emergencies still reach the console
dmesg -n 1
[ -n "$skip_all" ] && set -- --skip-all "$skip_all" "$@"
MEMCG_LAB_WHERE=vm MEMCG_LAB_SCENARIOS=/scenarios \
	/bin/memcg-lab run --format ktap --swap "$swap" --results /results "$@"
rc=$?
t_end=$(up)
say "exit $rc at $t_end"

# gzip first: the serial port is the slow part of bringing them home
(cd /results && tar c .) | gzip -1 | send
# the initramfs unpack (the kernel logs its start and end; it may run
# beside the rest of the boot)
unpack=$(dmesg | sed -n 's/^\[ *\([0-9.]*\)\] \(Trying to unpack rootfs\|Freeing initrd memory\).*/\1/p' | tr '\n' ',')
echo "MEMCG-LAB-PHASES init=$t_init modules=$t_modules disk=$t_disk start=$t_start end=$t_end sent=$(up) unpack=${unpack%,}" >$port
sync
poweroff -f
