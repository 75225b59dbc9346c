//go:build unix && !linux

package memory

// decommit zeroes b by hand: outside Linux, MADV_DONTNEED does not promise
// that private anonymous pages read as zero afterwards, so dirty pages past
// the keep-resident budget are memset too (and counted as madvise calls).
func decommit(b []byte) error {
	clear(b)
	return nil
}
