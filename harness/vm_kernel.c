/* The VM runner's kernel: resolving --kernel to an image and a module
 * tree (fetching and unpacking Debian packages into the cache), and the
 * modules the guest needs, in dependency order. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vm.h"

static const char *cache_dir(void)
{
	static char dir[PATH_MAX];
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");

	if (xdg && *xdg)
		snprintf(dir, sizeof(dir), "%s/memcg-lab", xdg);
	else
		snprintf(dir, sizeof(dir), "%s/.cache/memcg-lab", home && *home ? home : "/root");
	return dir;
}

/* --- the kernel ------------------------------------------------------------- */

/* debian:cloud-amd64 -> the image package the meta package depends on now;
 * debian:6.1.0-47-cloud-amd64 -> linux-image-6.1.0-47-cloud-amd64. */
static int debian_package(const char *spec, char *pkg, size_t len, struct mlab_err *e)
{
	char meta[256], out[4096], *p;
	char *argv[] = {"apt-cache", "depends", meta, NULL};

	snprintf(meta, sizeof(meta), "linux-image-%s", spec);
	if (run_command(argv, NULL, out, sizeof(out)))
		return err_set(e, ENOENT,
			       "apt-cache knows no package %s (try: apt-cache search "
			       "--names-only linux-image-%s)",
			       meta, spec);
	/* a versioned package depends on no other image; a meta package names one */
	p = strstr(out, "Depends: linux-image-");
	if (p && isdigit((unsigned char)p[21])) {
		p += 9;
		p[strcspn(p, " \n<>")] = 0;
		snprintf(pkg, len, "%s", p);
	} else {
		snprintf(pkg, len, "%s", meta);
	}
	return 0;
}

/* The cached .deb of @pkg, downloaded once. */
static int fetch_deb(const char *pkg, char *deb, size_t len, struct mlab_err *e)
{
	char dir[PATH_MAX], prefix[300];
	/* the cache is root's: apt's sandbox user could not write there */
	char *argv[] = {"apt-get",   "download", "-q", "-o", "APT::Sandbox::User=root",
			(char *)pkg, NULL};
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/debs", cache_dir());
	if (mkdir_p(dir))
		return err_set(e, EIO, "cannot create %s: %s", dir, strerror(errno));
	snprintf(prefix, sizeof(prefix), "%s_", pkg);
	for (int attempt = 0; attempt < 2; attempt++) {
		d = opendir(dir);
		while (d && (de = readdir(d)))
			if (!strncmp(de->d_name, prefix, strlen(prefix)) &&
			    strstr(de->d_name, ".deb")) {
				snprintf(deb, len, "%s/%s", dir, de->d_name);
				closedir(d);
				return 0;
			}
		if (d)
			closedir(d);
		if (attempt == 0) {
			fprintf(stderr, "memcg-lab vm: fetching %s\n", pkg);
			if (run_command(argv, dir, NULL, 0))
				return err_set(e, EIO, "apt-get download %s failed", pkg);
		}
	}
	return err_set(e, ENOENT, "apt-get download %s left no .deb in %s", pkg, dir);
}

/* Find boot/vmlinuz-* and lib/modules/<release> under an unpacked package. */
static int find_kernel(const char *root, struct kernel *k, struct mlab_err *e)
{
	char dir[PATH_MAX + 16];
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/boot", root);
	d = opendir(dir);
	while (d && (de = readdir(d)))
		if (!strncmp(de->d_name, "vmlinuz-", 8)) {
			snprintf(k->image, sizeof(k->image), "%s/%s", dir, de->d_name);
			snprintf(k->release, sizeof(k->release), "%s", de->d_name + 8);
		}
	if (d)
		closedir(d);
	if (!k->image[0])
		return err_set(e, ENOENT, "no boot/vmlinuz-* in %s", root);
	snprintf(k->modroot, sizeof(k->modroot), "%s/lib/modules/%s", root, k->release);
	if (access(k->modroot, F_OK))
		snprintf(k->modroot, sizeof(k->modroot), "%s/usr/lib/modules/%s", root, k->release);
	if (access(k->modroot, F_OK))
		k->modroot[0] = 0;
	return 0;
}

static int unpack_deb(const char *deb, struct kernel *k, struct mlab_err *e)
{
	char root[PATH_MAX], tmp[PATH_MAX + 8];
	const char *base = strrchr(deb, '/') ? strrchr(deb, '/') + 1 : deb;
	char *argv[] = {"dpkg-deb", "-x", (char *)deb, tmp, NULL};

	/* one directory per package file: its name without ".deb" */
	snprintf(root, sizeof(root), "%s/kernels/%.*s", cache_dir(),
		 (int)(strlen(base) > 4 ? strlen(base) - 4 : strlen(base)), base);
	if (access(root, F_OK)) {
		snprintf(tmp, sizeof(tmp), "%s.tmp", root);
		mkdir_p(tmp);
		if (run_command(argv, NULL, NULL, 0))
			return err_set(e, EIO, "dpkg-deb -x %s failed", deb);
		if (rename(tmp, root))
			return err_set(e, EIO, "rename %s: %s", tmp, strerror(errno));
	}
	return find_kernel(root, k, e);
}

int vm_kernel_resolve(const struct vm_opts *o, struct kernel *k, struct mlab_err *e)
{
	char pkg[256], deb[PATH_MAX];
	size_t l = strlen(o->kernel);

	memset(k, 0, sizeof(*k));
	if (!strncmp(o->kernel, "debian:", 7)) {
		int ret = debian_package(o->kernel + 7, pkg, sizeof(pkg), e);
		if (!ret)
			ret = fetch_deb(pkg, deb, sizeof(deb), e);
		return ret ? ret : unpack_deb(deb, k, e);
	}
	if (access(o->kernel, R_OK))
		return err_set(e, ENOENT, "--kernel %s: %s", o->kernel, strerror(errno));
	if (l > 4 && !strcmp(o->kernel + l - 4, ".deb"))
		return unpack_deb(o->kernel, k, e);
	snprintf(k->image, sizeof(k->image), "%s", o->kernel);
	if (o->modules) {
		const char *rel = strrchr(o->modules, '/');
		snprintf(k->modroot, sizeof(k->modroot), "%s", o->modules);
		snprintf(k->release, sizeof(k->release), "%s", rel ? rel + 1 : o->modules);
	}
	return 0;
}

/* --- modules ------------------------------------------------------------------- */

static int find_module(const char *dir, const char *name, char *out, size_t len)
{
	char p[PATH_MAX + 300], want[128];
	struct dirent *de;
	DIR *d = opendir(dir);
	int found = 0;

	if (!d)
		return 0;
	while (!found && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		if (de->d_type == DT_DIR) {
			found = find_module(p, name, out, len);
			continue;
		}
		/* module files spell - as _ or the other way round, and may be compressed */
		snprintf(want, sizeof(want), "%s.ko", name);
		for (char *c = want; *c; c++)
			if (*c == '-')
				*c = '_';
		{
			char got[256];
			snprintf(got, sizeof(got), "%s", de->d_name);
			for (char *c = got; *c; c++)
				if (*c == '-')
					*c = '_';
			if (!strncmp(got, want, strlen(want)) &&
			    (!got[strlen(want)] || got[strlen(want)] == '.')) {
				snprintf(out, len, "%s", p);
				found = 1;
			}
		}
	}
	closedir(d);
	return found;
}

static void add_module(struct vm_mods *m, const struct kernel *k, const char *name, int depth)
{
	char path[PATH_MAX], deps[1024], *save, *dep;
	char *argv[] = {"modinfo", "-F", "depends", path, NULL};

	for (int i = 0; i < m->n; i++)
		if (!strcmp(m->name[i], name))
			return;
	if (depth > 8 || m->n == VM_MAX_MODS || !find_module(k->modroot, name, path, sizeof(path)))
		return;
	if (!run_command(argv, NULL, deps, sizeof(deps)))
		for (dep = strtok_r(deps, ",\n", &save); dep; dep = strtok_r(NULL, ",\n", &save))
			add_module(m, k, dep, depth + 1);
	for (int i = 0; i < m->n; i++)
		if (!strcmp(m->name[i], name))
			return;
	snprintf(m->path[m->n], PATH_MAX, "%s", path);
	snprintf(m->name[m->n++], 64, "%s", name);
}

void vm_modules_add(struct vm_mods *m, const struct kernel *k, const char *name)
{
	add_module(m, k, name, 0);
}
