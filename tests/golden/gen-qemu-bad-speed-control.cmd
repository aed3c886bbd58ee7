gen-qemu-args -F examples/gpu-workstation.lspci --speed "$(printf '03:00=\033[31m\007')" 03:00
