// nanokube has no authorization layer yet (README: "No RBAC"): every authenticated user may do everything.
// The review APIs report exactly that, so `kubectl auth can-i` gives the true answer ("yes") instead of failing.

/** Why every request is allowed; shown by clients that print a review's reason. */
export const allowAllReason = 'nanokube authorizes every authenticated user for every request (no RBAC yet)';
