gen-proxmox -F examples/gpu-workstation.lspci --kernel-version 6.8 --qemu-version 9.2 --conf tests/data/pve-args-no-argument.conf 03:00
