gen-libvirt-xml -F examples/gpu-workstation.lspci --qemu-version 7.2 --domain /nonexistent/vm.xml 04:00.0
