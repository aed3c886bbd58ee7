gen-qemu-args -F examples/gpu-workstation.lspci --qemu-version 8.1 --kernel-version 6.8 --numa --numa-node 03:00=0 --first-addr 0x1e 03:00 04:00
