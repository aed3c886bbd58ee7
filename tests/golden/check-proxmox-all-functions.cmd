check --proxmox tests/proxmox/conf/check-all-functions.conf --dump examples/gpu-workstation.lspci --qemu-version 7.2
