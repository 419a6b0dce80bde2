// frontend-platform's initialize module imports 'env.config' (the MFE's file). The tests set the
// configuration with mergeConfig instead.
export default {};
