/** The findings' words per language (see types.ts). */
import type { Lang, PerLang } from '../../shared/i18n';
import { en } from './en';
import { es } from './es';
import type { RuleMessages } from './types';

export const RULE_MESSAGES: PerLang<RuleMessages> = { en, es };

export const ruleMessages = (lang: Lang): RuleMessages => RULE_MESSAGES[lang] ?? en;
