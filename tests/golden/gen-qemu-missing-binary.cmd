gen-qemu-args -F examples/gpu-workstation.lspci --qemu /nonexistent/qemu 04:00.0
