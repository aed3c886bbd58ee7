gen-proxmox -F examples/gpu-workstation.lspci --kernel-version 6.8 --qemu-version 9.2 --conf tests/proxmox/conf/full.conf 03:00 05:00.0 07:00
