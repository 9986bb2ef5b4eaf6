// SPDX-License-Identifier: Apache-2.0
/*
 * /init of the riscv64 Linux guest: Debian 12 has no riscv64 busybox, so this is the whole userland. It
 * prints the marker, the kernel release (uname) and the number of CPUs it may run on (sched_getaffinity),
 * then powers the guest off. No C library: raw Linux system calls (riscv64: number in a7, arguments in
 * a0-a5, result in a0).
 */
#define SYS_write		64
#define SYS_exit		93
#define SYS_sched_getaffinity	123
#define SYS_reboot		142
#define SYS_uname		160

#define LINUX_REBOOT_MAGIC1	0xfee1dead
#define LINUX_REBOOT_MAGIC2	672274793
#define LINUX_REBOOT_CMD_POWER_OFF	0x4321fedc

#ifndef MARKER
#define MARKER "HVCC-LINUX-GUEST-UP"
#endif

struct utsname {
	char sysname[65], nodename[65], release[65], version[65], machine[65], domainname[65];
};

static long syscall3(long n, long a0, long a1, long a2)
{
	register long r0 asm("a0") = a0;
	register long r1 asm("a1") = a1;
	register long r2 asm("a2") = a2;
	register long r7 asm("a7") = n;

	asm volatile("ecall" : "+r"(r0) : "r"(r1), "r"(r2), "r"(r7) : "memory");
	return r0;
}

static long syscall4(long n, long a0, long a1, long a2, long a3)
{
	register long r0 asm("a0") = a0;
	register long r1 asm("a1") = a1;
	register long r2 asm("a2") = a2;
	register long r3 asm("a3") = a3;
	register long r7 asm("a7") = n;

	asm volatile("ecall" : "+r"(r0) : "r"(r1), "r"(r2), "r"(r3), "r"(r7) : "memory");
	return r0;
}

static unsigned long len(const char *s)
{
	unsigned long n = 0;

	while (s[n])
		n++;
	return n;
}

static void out(const char *s)
{
	syscall3(SYS_write, 1, (long)s, (long)len(s));
}

static void out_dec(unsigned long v)
{
	char buf[24];
	int n = sizeof(buf) - 1;

	buf[n] = 0;
	do {
		buf[--n] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	out(buf + n);
}

void start(void)
{
	static struct utsname u;
	static unsigned long mask[16];
	unsigned long cpus = 0;
	long bytes;

	/* The kernel opened /dev/console as 0, 1 and 2 for init. */
	if (syscall3(SYS_uname, (long)&u, 0, 0) < 0)
		out("init: uname failed\n");
	bytes = syscall3(SYS_sched_getaffinity, 0, sizeof(mask), (long)mask);
	/* Bit by bit: without libgcc there is no __popcountdi2 to call. */
	for (long i = 0; i < bytes / (long)sizeof(mask[0]); i++)
		for (unsigned long m = mask[i]; m; m &= m - 1)
			cpus++;
	out(MARKER ": kernel ");
	out(u.release);
	out(", ");
	out_dec(cpus);
	out(" CPUs online\n");
	syscall4(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, LINUX_REBOOT_CMD_POWER_OFF, 0);
	syscall3(SYS_exit, 0, 0, 0);
	for (;;)
		;
}

/* The ELF entry: the stack is the kernel's (argc, argv, envp), which this program does not need. */
__attribute__((naked, section(".text.entry"))) void _start(void)
{
	asm volatile(".option push\n.option norelax\nla gp, __global_pointer$\n.option pop\ncall start");
}
