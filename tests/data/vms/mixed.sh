# a VM with most of what check finds: compat default, ioh3420, JSON number, function 1 alone
/usr/bin/qemu-system-x86_64 -M pc-q35-3.1 \
  -device pcie-root-port,id=rp1,bus=pcie.0,addr=0x10.0,chassis=1 \
  -device vfio-pci,host=0000:03:00.0,bus=rp1,addr=0x0.0,multifunction=on \
  -device vfio-pci,host=0000:03:00.1,bus=rp1,addr=0x0.1 \
  -device ioh3420,id=rp2,bus=pcie.0,addr=0x11,chassis=2 \
  -device vfio-pci,host=0000:04:00.0,bus=rp2 \
  -device '{"driver":"pcie-root-port","id":"rp3","bus":"pcie.0","addr":"0x12.1","chassis":3,"x-speed":8}' \
  -device vfio-pci,host=0000:06:00.0,bus=rp3
