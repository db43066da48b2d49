import type { Faker } from '@faker-js/faker';
import type { Json } from '../../store/types.js';

const PLACEHOLDER = /\{\{[^{}]+(?:\{[^{}]*\}[^{}]*)*\}\}/;

/**
 * Fills a tool's response template: every string holding `{{faker.expression}}` placeholders is run
 * through the seeded faker. A string that is exactly one placeholder yielding a number becomes a number.
 */
export function fillTemplate(template: unknown, faker: Faker): Json {
  if (typeof template === 'string') {
    if (!PLACEHOLDER.test(template)) return template;
    const filled = faker.helpers.fake(template);
    const whole = /^\{\{(?:number|datatype)\./.test(template) && template.endsWith('}}') && !template.slice(2).includes('{{');
    return whole && /^-?\d+(\.\d+)?$/.test(filled) ? Number(filled) : filled;
  }
  if (Array.isArray(template)) return template.map((item) => fillTemplate(item, faker));
  if (template !== null && typeof template === 'object') {
    return Object.fromEntries(Object.entries(template).map(([k, v]) => [k, fillTemplate(v, faker)]));
  }
  return (template ?? null) as Json;
}
