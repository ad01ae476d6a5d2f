# shellcheck shell=bash disable=SC2034 # globals set here are read by the other parts of setup-host.sh
# Is hardware virtualization usable here? Reports what it found and picks the libvirt domain type
# the worker uses: kvm, or qemu (TCG, software emulation) as the fallback. Sourced by setup-host.sh.
#
# ppc64le: the kvm_hv module (POWER8/9/10 with the hypervisor mode) and its `nested` parameter.
# x86_64: vmx/svm in the CPU flags, kvm_intel or kvm_amd and their `nested` parameter.
# /dev/kvm must exist in both cases. --tcg forces TCG: some hosts have a /dev/kvm that cannot boot
# a stock kernel (e.g. a PVM guest kernel).

check_virt() {
  local sys proc found=() module="" nested
  sys=$(rp /sys)
  proc=$(rp /proc)
  case "$HOST_ARCH" in
    ppc64le)
      if [ -d "$sys/module/kvm_hv" ]; then
        module=kvm_hv
        nested=$(cat "$sys/module/kvm_hv/parameters/nested" 2>/dev/null || echo unknown)
        found+=("kvm_hv loaded (nested: $nested)")
      else
        found+=("kvm_hv not loaded (modprobe kvm_hv; needs a POWER host with the hypervisor mode, or nested-HV in its own hypervisor)")
      fi
      ;;
    x86_64)
      if grep -Eqw 'vmx|svm' "$proc/cpuinfo" 2>/dev/null; then found+=("CPU has vmx/svm"); else found+=("no vmx/svm CPU flag (no hardware virtualization, or not passed to this VM)"); fi
      local m
      for m in kvm_intel kvm_amd; do
        [ -d "$sys/module/$m" ] || continue
        module=$m
        nested=$(cat "$sys/module/$m/parameters/nested" 2>/dev/null || echo unknown)
        found+=("$m loaded (nested: $nested)")
      done
      [ -n "$module" ] || found+=("neither kvm_intel nor kvm_amd loaded")
      ;;
    *)
      [ -d "$sys/module/kvm" ] && module=kvm && found+=("kvm loaded")
      ;;
  esac
  if [ -c "$(rp /dev/kvm)" ]; then found+=("/dev/kvm present"); else found+=("no /dev/kvm"); fi
  DOMAIN_TYPE=qemu
  if [ "$FORCE_TCG" = 1 ]; then
    found+=("--tcg given")
  elif [ -n "$module" ] && [ -c "$(rp /dev/kvm)" ]; then
    DOMAIN_TYPE=kvm
  fi
  say "virtualization ($HOST_ARCH): $(IFS=';'; printf '%s' "${found[*]}" | sed 's/;/; /g')"
  if [ "$DOMAIN_TYPE" = kvm ]; then
    say "virtualization: VMs use KVM (domain type kvm)"
  else
    warn "no usable KVM: VMs run under TCG (software emulation, domain type qemu), several times slower"
  fi
  if [ ${#NO_EMULATOR[@]} -gt 0 ]; then
    warn "$OS_NAME packages no qemu for ${NO_EMULATOR[*]} guests on a $HOST_ARCH host: run those images on a ${NO_EMULATOR[*]} worker host, or use Fedora/Debian here"
  fi
}
