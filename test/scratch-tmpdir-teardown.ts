export { removeScratchTmpdir as default } from './scratch-tmpdir';
