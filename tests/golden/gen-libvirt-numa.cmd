gen-libvirt-xml -F examples/gpu-workstation.lspci --qemu-version 8.1 --kernel-version 6.8 --numa --numa-node 03:00=1 --numa-node 07:00=0 --split-functions 03:00 04:00 07:00.0
