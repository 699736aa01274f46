export { LoginRecipeError, logIn, type LoginOptions, type LoginPage, type LoginRecipeErrorCode, type LoginStep } from './recipe.js';
