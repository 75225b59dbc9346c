// fswalk: a WASI test program in C (wasi-libc). Built by build.sh; the
// .wasm is committed so tests need no clang.
//
//   fswalk walk DIR    lists DIR recursively (sorted), prints each file's
//                      size and contents, then writes, appends, renames,
//                      links, removes files and directories under DIR and
//                      lists it again.
//   fswalk escape DIR  tries to leave the mount at DIR in every way it
//                      can and prints the errno of each attempt.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int cmp(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void walk(const char *dir, int depth) {
  DIR *d = opendir(dir);
  if (!d) {
    printf("opendir %s: %s\n", dir, strerror(errno));
    return;
  }
  char *names[256];
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL && n < 256) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    names[n++] = strdup(e->d_name);
  }
  closedir(d);
  qsort(names, n, sizeof(char *), cmp);
  for (int i = 0; i < n; i++) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, names[i]);
    struct stat st;
    if (lstat(path, &st) != 0) {
      printf("%*slstat %s: %s\n", depth * 2, "", names[i], strerror(errno));
    } else if (S_ISDIR(st.st_mode)) {
      printf("%*s%s/\n", depth * 2, "", names[i]);
      walk(path, depth + 1);
    } else if (S_ISLNK(st.st_mode)) {
      char target[256];
      ssize_t k = readlink(path, target, sizeof target - 1);
      target[k < 0 ? 0 : k] = 0;
      printf("%*s%s -> %s\n", depth * 2, "", names[i], target);
    } else {
      printf("%*s%s (%lld bytes): ", depth * 2, "", names[i], (long long)st.st_size);
      FILE *f = fopen(path, "r");
      if (!f) {
        printf("fopen: %s\n", strerror(errno));
      } else {
        char buf[128];
        size_t r = fread(buf, 1, sizeof buf - 1, f);
        buf[r] = 0;
        for (size_t j = 0; j < r; j++) if (buf[j] == '\n') buf[j] = '|';
        printf("%s\n", buf);
        fclose(f);
      }
    }
    free(names[i]);
  }
}

#define CHECK(what, expr) do { if ((expr) != 0) printf("%s: %s\n", what, strerror(errno)); else printf("%s: ok\n", what); } while (0)

static void mutate(const char *dir) {
  char p[1024], q[1024];
  snprintf(p, sizeof p, "%s/new.txt", dir);
  FILE *f = fopen(p, "w");
  if (!f) { printf("create: %s\n", strerror(errno)); return; }
  fputs("first line\n", f);
  fclose(f);
  f = fopen(p, "a");
  fputs("appended\n", f);
  fclose(f);
  int fd = open(p, O_RDWR);
  printf("pwrite: %zd\n", pwrite(fd, "FIRST", 5, 0));
  printf("lseek end: %lld\n", (long long)lseek(fd, 0, SEEK_END));
  printf("ftruncate: %d\n", ftruncate(fd, 16));
  close(fd);
  snprintf(p, sizeof p, "%s/made", dir);
  CHECK("mkdir", mkdir(p, 0755));
  printf("mkdir again: %s\n", mkdir(p, 0755) == 0 ? "ok" : strerror(errno));
  snprintf(p, sizeof p, "%s/new.txt", dir);
  snprintf(q, sizeof q, "%s/made/moved.txt", dir);
  CHECK("rename", rename(p, q));
  snprintf(p, sizeof p, "%s/made/hard.txt", dir);
  CHECK("link", link(q, p));
  snprintf(p, sizeof p, "%s/made/soft", dir);
  CHECK("symlink", symlink("moved.txt", p));
  struct stat st;
  CHECK("stat through symlink", stat(p, &st));
  printf("size through symlink: %lld\n", (long long)st.st_size);
  snprintf(p, sizeof p, "%s/made", dir);
  printf("rmdir non-empty: %s\n", rmdir(p) == 0 ? "ok" : strerror(errno));
  snprintf(p, sizeof p, "%s/sub/file.txt", dir);
  printf("open missing: %s\n", open("/nonexistent-mount/x", O_RDONLY) >= 0 ? "ok" : strerror(errno));
  snprintf(p, sizeof p, "%s/gone", dir);
  mkdir(p, 0755);
  CHECK("rmdir", rmdir(p));
  snprintf(p, sizeof p, "%s/made/hard.txt", dir);
  CHECK("unlink", unlink(p));
  printf("unlink again: %s\n", unlink(p) == 0 ? "ok" : strerror(errno));
  snprintf(p, sizeof p, "%s/made", dir);
  printf("unlink dir: %s\n", unlink(p) == 0 ? "ok" : strerror(errno));
}

static void try_open(const char *path) {
  int fd = open(path, O_RDONLY);
  if (fd >= 0) {
    printf("open %s: ok\n", path);
    close(fd);
  } else {
    printf("open %s: %s\n", path, strerror(errno));
  }
}

static void escape(const char *dir) {
  char p[1024];
  snprintf(p, sizeof p, "%s/../outside.txt", dir);
  try_open(p);
  snprintf(p, sizeof p, "%s/sub/../../outside.txt", dir);
  try_open(p);
  try_open("/outside.txt");
  try_open("/etc/passwd");
  snprintf(p, sizeof p, "%s/link-out", dir);
  try_open(p);
  snprintf(p, sizeof p, "%s/link-abs", dir);
  try_open(p);
  snprintf(p, sizeof p, "%s/link-dir-out/outside.txt", dir);
  try_open(p);
  snprintf(p, sizeof p, "%s/link-in", dir);
  try_open(p);
  struct stat st;
  snprintf(p, sizeof p, "%s/link-out", dir);
  printf("lstat link-out: %s\n", lstat(p, &st) == 0 ? "ok" : strerror(errno));
  printf("stat link-out: %s\n", stat(p, &st) == 0 ? "ok (escaped!)" : strerror(errno));
  snprintf(p, sizeof p, "%s/made-esc", dir);
  printf("symlink to outside: %s\n", symlink("../", p) == 0 ? "ok" : strerror(errno));
  snprintf(p, sizeof p, "%s/made-esc/outside.txt", dir);
  try_open(p);
  snprintf(p, sizeof p, "%s/../created.txt", dir);
  printf("create outside: %s\n", open(p, O_CREAT | O_WRONLY, 0644) >= 0 ? "ok (escaped!)" : strerror(errno));
  snprintf(p, sizeof p, "%s/..", dir);
  printf("opendir ..: %s\n", opendir(p) ? "ok (escaped!)" : strerror(errno));
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: fswalk walk|escape DIR\n");
    return 2;
  }
  if (strcmp(argv[1], "walk") == 0) {
    walk(argv[2], 0);
    puts("--");
    mutate(argv[2]);
    puts("--");
    walk(argv[2], 0);
    return 0;
  }
  if (strcmp(argv[1], "escape") == 0) {
    escape(argv[2]);
    return 0;
  }
  fprintf(stderr, "unknown command %s\n", argv[1]);
  return 2;
}
