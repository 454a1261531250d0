package kubetest

import "syscall"

// sysProcAttr kills etcd and kube-apiserver with the test binary, should
// it die before its cleanups run.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
