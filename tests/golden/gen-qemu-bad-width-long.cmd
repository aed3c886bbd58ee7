gen-qemu-args -F examples/gpu-workstation.lspci --width 03:00=$(printf '1%.0s' $(seq 80)) 03:00
