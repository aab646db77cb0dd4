/* Temporary swap files for runs that need swap (see run.h). The file is
 * written out (no holes, so every filesystem that can swap accepts it), gets
 * a version-1 swap header written here (no mkswap needed, also in the VM's
 * initramfs), and is recorded before it exists. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/statvfs.h>
#include <sys/swap.h>
#include <unistd.h>

#include "run.h"

#define SWAP_DIR "/var/tmp"

int swap_parse_mode(const char *s, uint64_t *size, int *mode, struct mlab_err *e)
{
	*size = 0;
	if (!strcmp(s, "none")) {
		*mode = SWAP_NONE;
		return 0;
	}
	if (!strcmp(s, "auto")) {
		*mode = SWAP_AUTO;
		return 0;
	}
	*mode = SWAP_SIZE;
	if (parse_size(s, size, e))
		return err_set(e, EINVAL, "--swap '%s': expected auto, none or a size such as 256M",
			       s);
	if (*size < 1 * MIB)
		return err_set(e, EINVAL, "--swap '%s': a swap file needs at least 1M", s);
	return 0;
}

static int write_swap_header(int fd, uint64_t size, struct mlab_err *e)
{
	long ps = sysconf(_SC_PAGESIZE);
	unsigned char page[65536];
	uint32_t version = 1, last_page = (uint32_t)(size / (uint64_t)ps - 1), zero = 0;

	if (ps > (long)sizeof(page))
		return err_set(e, EINVAL, "page size %ld too large", ps);
	memset(page, 0, (size_t)ps);
	/* struct swap_header_v1_2: bootbits[1024], version, last_page,
	 * nr_badpages, uuid[16], volume_name[16] ...; magic at the page's end */
	memcpy(page + 1024, &version, 4);
	memcpy(page + 1028, &last_page, 4);
	memcpy(page + 1032, &zero, 4);
	for (int i = 0; i < 16; i++)
		page[1036 + i] = (unsigned char)(0x6d + i * 7); /* any uuid will do */
	memcpy(page + ps - 10, "SWAPSPACE2", 10);
	if (pwrite(fd, page, (size_t)ps, 0) != ps)
		return err_set(e, errno, "write swap header: %s", strerror(errno));
	return 0;
}

static int make_swap_file(struct run *r, uint64_t size, struct mlab_err *e)
{
	static char zeros[1 << 20];
	char path[PATH_MAX], a[32];
	struct statvfs vfs;
	uint64_t done = 0;
	int fd, ret;

	size = (size + MIB - 1) / MIB * MIB;
	if (statvfs(SWAP_DIR, &vfs))
		return err_set(e, errno, "%s: %s", SWAP_DIR, strerror(errno));
	if ((uint64_t)vfs.f_bavail * vfs.f_frsize < size + 1 * GIB)
		return err_set(e, ENOSPC,
			       "not enough room in %s for a %s swap file (keeping 1G free)",
			       SWAP_DIR, fmt_size(a, sizeof(a), size));
	snprintf(path, sizeof(path), SWAP_DIR "/memcg-lab-swap-%s", r->st.run_id);
	ret = state_record(&r->st, e, STATE_SWAPFILE, "%s", path);
	if (ret)
		return ret;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return err_set(e, errno, "create %s: %s", path, strerror(errno));
	while (done < size) {
		ssize_t w = write(fd, zeros, sizeof(zeros));
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			ret =
			    err_set(e, errno ? errno : EIO, "write %s: %s", path, strerror(errno));
			close(fd);
			return ret;
		}
		done += (uint64_t)w;
	}
	ret = write_swap_header(fd, size, e);
	if (!ret && fsync(fd))
		ret = err_set(e, errno, "sync %s: %s", path, strerror(errno));
	close(fd);
	if (ret)
		return ret;
	if (swapon(path, 0))
		return err_set(e, errno,
			       "swapon %s: %s (the filesystem of %s may not support swap files)",
			       path, strerror(errno), SWAP_DIR);
	return 0;
}

int run_swap(struct run *r, int mode, uint64_t size, uint64_t need, struct mlab_err *e)
{
	uint64_t free_swap = 0;

	if (mode == SWAP_NONE)
		return 0;
	if (mode == SWAP_SIZE)
		return make_swap_file(r, size, e);
	meminfo_get(NULL, "SwapFree", &free_swap);
	if (need && free_swap >= need)
		return 0;
	return make_swap_file(r, need ? need : 64 * MIB, e);
}

void swap_kind(char *buf, size_t len)
{
	char swaps[4096], name[256], type[32];
	const char *line;

	snprintf(buf, len, "none");
	if (read_file("/proc/swaps", swaps, sizeof(swaps)) < 0)
		return;
	line = strchr(swaps, '\n'); /* past the header */
	if (!line || sscanf(line + 1, "%255s %31s", name, type) != 2)
		return;
	if (!strncmp(name, "/dev/zram", 9))
		snprintf(buf, len, "zram");
	else
		snprintf(buf, len, "%s", type); /* file or partition */
}
