import { en } from './en';
import type { RuleMessages } from './types';

export const es: RuleMessages = en;
