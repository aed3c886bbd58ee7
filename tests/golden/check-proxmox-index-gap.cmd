check --proxmox tests/proxmox/conf/check-index-gap.conf --dump examples/gpu-workstation.lspci --qemu-version 9.2
