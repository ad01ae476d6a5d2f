// Where things are inside a build VM (the images from vm-image/ make the user and its home).
export const GUEST_USER = 'ci';
/** Where steps start and the source goes. */
export const GUEST_WORKDIR = '/home/ci/build';
/** gatehouse's own files in the guest (step scripts, process group ids), mode 0700. */
export const GUEST_STATE = '/home/ci/.gatehouse';
/** The key of the step channel a VM opens ahead (see SshSession.prepareExec). */
export const FIRST_STEP_KEY = 'first';
