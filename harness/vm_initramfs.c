/* The VM runner's initramfs, written here as cpio newc: busybox-static,
 * the static memcg-lab, the init script (vm_guest_init.sh, embedded at
 * build time), the modules (unpacked when compressed), the scenarios and
 * the arguments for `memcg-lab run` in the guest. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scn_catalogue.h"
#include "vm.h"

extern const unsigned char vm_init_sh[];

struct cpio {
	FILE *f;
	unsigned ino;
};

static void cpio_pad(struct cpio *c)
{
	while (ftell(c->f) % 4)
		fputc(0, c->f);
}

static void cpio_entry(struct cpio *c, const char *name, unsigned mode, const void *data,
		       size_t len)
{
	fprintf(c->f, "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X", ++c->ino, mode,
		0, 0, 1, 0, (unsigned)len, 0, 0, 0, 0, (unsigned)strlen(name) + 1, 0);
	fwrite(name, 1, strlen(name) + 1, c->f);
	cpio_pad(c);
	if (len)
		fwrite(data, 1, len, c->f);
	cpio_pad(c);
}

static int cpio_file(struct cpio *c, const char *name, const char *src, unsigned mode,
		     struct mlab_err *e)
{
	struct stat st;
	char *buf;
	int fd = open(src, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st))
		return err_set(e, EIO, "read %s: %s", src, strerror(errno));
	buf = malloc((size_t)st.st_size + 1);
	if (!buf || read(fd, buf, (size_t)st.st_size) != st.st_size) {
		free(buf);
		close(fd);
		return err_set(e, EIO, "read %s: %s", src, strerror(errno));
	}
	close(fd);
	cpio_entry(c, name, 0100000 | mode, buf, (size_t)st.st_size);
	free(buf);
	return 0;
}

/* Compressed modules (.ko.xz, .ko.zst) are unpacked on the host: the
 * guest's insmod then needs no decompressor. */
static int module_bytes(const char *path, const char *tmpdir, char *out, size_t len,
			struct mlab_err *e)
{
	size_t l = strlen(path);
	const char *tool = l > 3 && !strcmp(path + l - 3, ".xz")    ? "xz"
			   : l > 4 && !strcmp(path + l - 4, ".zst") ? "zstd"
			   : l > 3 && !strcmp(path + l - 3, ".gz")  ? "gzip"
								    : NULL;
	char cmd[PATH_MAX * 2 + 64];

	if (!tool) {
		snprintf(out, len, "%s", path);
		return 0;
	}
	snprintf(out, len, "%s/module.ko", tmpdir);
	snprintf(cmd, sizeof(cmd), "%s -dc '%s' > '%s'", tool, path, out);
	{
		char *argv[] = {"sh", "-c", cmd, NULL};
		if (run_command(argv, NULL, NULL, 0))
			return err_set(e, EIO, "%s -d %s failed (is %s installed?)", tool, path,
				       tool);
	}
	return 0;
}

static const char *self_dir(char *buf, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", buf, len - 1);
	char *slash;

	buf[n > 0 ? n : 0] = 0;
	slash = strrchr(buf, '/');
	if (slash)
		*slash = 0;
	return buf;
}

int vm_initramfs_build(const char *path, const struct kernel *k, const struct vm_opts *o,
		       const char *tmpdir, int *nmods, struct mlab_err *e)
{
	/* ext4 (with the crc32c it asks the crypto API for) mounts the scratch
	 * disk's ext2 where ext2 is not built in (the generic Debian kernels) */
	static const char *const wanted[] = {"virtio_pci",     "virtio_blk", "virtio-rng",
					     "crc32c_generic", "ext4",	     "zram",
					     "lzo-rle",	       "lzo"};
	struct cpio c = {0};
	struct vm_mods m = {0};
	char exe[PATH_MAX], bin[PATH_MAX + 32], args[8192], src[PATH_MAX], name[PATH_MAX];
	const char *sdir = scenario_dir();
	size_t used = 0;
	struct dirent *de;
	DIR *d;
	int ret = 0;

	snprintf(bin, sizeof(bin), "%s/memcg-lab-static", self_dir(exe, sizeof(exe)));
	if (getenv("MEMCG_LAB_STATIC"))
		snprintf(bin, sizeof(bin), "%s", getenv("MEMCG_LAB_STATIC"));
	if (access(bin, X_OK))
		return err_set(e, ENOENT,
			       "no static memcg-lab at %s (build it, or set MEMCG_LAB_STATIC)",
			       bin);
	if (access("/bin/busybox", X_OK))
		return err_set(e, ENOENT, "no /bin/busybox (Debian package busybox-static)");

	c.f = fopen(path, "wb");
	if (!c.f)
		return err_set(e, errno, "create %s: %s", path, strerror(errno));
	static const char *const dirs[] = {"bin", "dev", "proc", "sys",	    "modules", "scenarios",
					   "run", "tmp", "var",	 "var/tmp", "results"};
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		cpio_entry(&c, dirs[i], 040755, NULL, 0);
	ret = cpio_file(&c, "bin/busybox", "/bin/busybox", 0755, e);
	if (!ret)
		ret = cpio_file(&c, "bin/memcg-lab", bin, 0755, e);
	cpio_entry(&c, "init", 0100755, vm_init_sh, strlen((const char *)vm_init_sh));

	if (k->modroot[0])
		for (size_t i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++)
			vm_modules_add(&m, k, wanted[i]);
	for (int i = 0; i < m.n && !ret; i++) {
		char file[PATH_MAX];
		ret = module_bytes(m.path[i], tmpdir, file, sizeof(file), e);
		snprintf(name, sizeof(name), "modules/%02d-%s.ko", i, m.name[i]);
		if (!ret)
			ret = cpio_file(&c, name, file, 0644, e);
	}

	d = opendir(sdir);
	while (d && (de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (l < 5 || strcmp(de->d_name + l - 4, ".scn"))
			continue;
		snprintf(src, sizeof(src), "%s/%s", sdir, de->d_name);
		snprintf(name, sizeof(name), "scenarios/%s", de->d_name);
		if (!ret)
			ret = cpio_file(&c, name, src, 0644, e);
	}
	if (d)
		closedir(d);
	else
		ret = err_set(e, errno, "scenario directory %s: %s", sdir, strerror(errno));

	args[0] = 0;
	for (int i = 0; i < o->nrun_args; i++)
		used += (size_t)snprintf(args + used, sizeof(args) - used, "%s\n", o->run_args[i]);
	cpio_entry(&c, "run-args", 0100644, args, strlen(args));
	cpio_entry(&c, "TRAILER!!!", 0, NULL, 0);
	if (fclose(c.f) && !ret)
		ret = err_set(e, errno, "write %s: %s", path, strerror(errno));
	*nmods = m.n;
	return ret;
}
