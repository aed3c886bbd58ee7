check --proxmox tests/proxmox/conf/check-default-link.conf --dump examples/gpu-workstation.lspci --qemu-version 9.2
