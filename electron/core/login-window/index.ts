export { LoginWindowError, LoginWindows, type LoginWindowErrorCode, type LoginWindowSpec, type LoginWindowsOptions, type OpenedLoginWindow } from './login-windows.js';
export { isNetworkPage, loginPartition, networkHostPatterns } from './policy.js';
export { PageActionError, WebContentsLoginPage, type PageActionFailure, type WebContentsLike, type WebContentsLoginPageOptions } from './web-contents-page.js';
