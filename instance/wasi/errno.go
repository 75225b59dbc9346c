package wasi

import (
	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"
)

// errno is a WASI preview1 error code (the spec's "errno" enum, u16).
type errno uint16

// The errno values of WASI preview1, in the spec's order.
const (
	errSuccess errno = iota
	err2big
	errAcces
	errAddrinuse
	errAddrnotavail
	errAfnosupport
	errAgain
	errAlready
	errBadf
	errBadmsg
	errBusy
	errCanceled
	errChild
	errConnaborted
	errConnrefused
	errConnreset
	errDeadlk
	errDestaddrreq
	errDom
	errDquot
	errExist
	errFault
	errFbig
	errHostunreach
	errIdrm
	errIlseq
	errInprogress
	errIntr
	errInval
	errIo
	errIsconn
	errIsdir
	errLoop
	errMfile
	errMlink
	errMsgsize
	errMultihop
	errNametoolong
	errNetdown
	errNetreset
	errNetunreach
	errNfile
	errNobufs
	errNodev
	errNoent
	errNoexec
	errNolck
	errNolink
	errNomem
	errNomsg
	errNoprotoopt
	errNospc
	errNosys
	errNotconn
	errNotdir
	errNotempty
	errNotrecoverable
	errNotsock
	errNotsup
	errNotty
	errNxio
	errOverflow
	errOwnerdead
	errPerm
	errPipe
	errProto
	errProtonosupport
	errPrototype
	errRange
	errRofs
	errSpipe
	errSrch
	errStale
	errTimedout
	errTxtbsy
	errXdev
	errNotcapable
)

// fromSys maps the errno of wazero's experimental/sys (a POSIX subset) to
// WASI's.
func fromSys(e experimentalsys.Errno) errno {
	switch e {
	case 0:
		return errSuccess
	case experimentalsys.EACCES:
		return errAcces
	case experimentalsys.EAGAIN:
		return errAgain
	case experimentalsys.EBADF:
		return errBadf
	case experimentalsys.EEXIST:
		return errExist
	case experimentalsys.EFAULT:
		return errFault
	case experimentalsys.EINTR:
		return errIntr
	case experimentalsys.EINVAL:
		return errInval
	case experimentalsys.EIO:
		return errIo
	case experimentalsys.EISDIR:
		return errIsdir
	case experimentalsys.ELOOP:
		return errLoop
	case experimentalsys.ENAMETOOLONG:
		return errNametoolong
	case experimentalsys.ENOENT:
		return errNoent
	case experimentalsys.ENOSYS:
		return errNosys
	case experimentalsys.ENOTDIR:
		return errNotdir
	case experimentalsys.ERANGE:
		return errRange
	case experimentalsys.ENOTEMPTY:
		return errNotempty
	case experimentalsys.ENOTSOCK:
		return errNotsock
	case experimentalsys.ENOTSUP:
		return errNotsup
	case experimentalsys.EPERM:
		return errPerm
	case experimentalsys.EROFS:
		return errRofs
	}
	return errIo
}
