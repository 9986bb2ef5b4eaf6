/* Kconfig values for the host-compiled virtio harness (the runtime's defaults). */
#define CONFIG_HV_MAX_CPUS 8
#define CONFIG_HV_STACK_SIZE 16384
#define CONFIG_HV_GUEST_LINE_MAX 256
#define CONFIG_HV_VIRTIO_QUEUE_SIZE 256
#define CONFIG_HV_VIRTIO_BLK_BOUNCE 4096
#define CONFIG_HV_MAX_VCPUS 16
