// batch/v1 well-known labels, annotations and finalizers (upstream k8s.io/api/batch/v1 types.go), shared by the
// apiserver's Job and CronJob strategies and the Job and CronJob controllers.

export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';
export const LEGACY_JOB_NAME_LABEL = 'job-name';
export const CONTROLLER_UID_LABEL = 'batch.kubernetes.io/controller-uid';
export const LEGACY_CONTROLLER_UID_LABEL = 'controller-uid';
/** On pods of Indexed Jobs, as annotation and (since 1.28) label. */
export const JOB_COMPLETION_INDEX = 'batch.kubernetes.io/job-completion-index';
/** On pods of Jobs with backoffLimitPerIndex: the failures of this index before the pod. */
export const JOB_INDEX_FAILURE_COUNT = 'batch.kubernetes.io/job-index-failure-count';
export const JOB_INDEX_IGNORED_FAILURE_COUNT = 'batch.kubernetes.io/job-index-ignored-failure-count';
/** The finalizer the Job controller puts on its pods until it has counted them in the Job's status. */
export const JOB_TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';
/** On Jobs a CronJob created: the scheduled time (RFC 3339). */
export const CRONJOB_SCHEDULED_TIMESTAMP = 'batch.kubernetes.io/cronjob-scheduled-timestamp';
/** On Jobs made from a CronJob by `kubectl create job --from=cronjob/x`. */
export const CRONJOB_INSTANTIATE = 'cronjob.kubernetes.io/instantiate';
