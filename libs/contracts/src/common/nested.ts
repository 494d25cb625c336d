import { Type, type ClassConstructor } from 'class-transformer';
import { ValidateBy, ValidateNested } from 'class-validator';

/** The rules below, by name: flatten reports them itself (see validation.ts). */
export const ONE_OBJECT = 'isNestedObject';
export const ONLY_OBJECTS = 'isListOfObjects';

const isObject = (value: unknown) => value !== null && typeof value === 'object' && !Array.isArray(value);

/** The index of a list's first entry that is not an object, or -1 (also for anything that is not a list). */
export const firstNonObject = (list: unknown): number => (Array.isArray(list) ? list.findIndex((entry) => !isObject(entry)) : -1);

/**
 * A field holding one object of `type` (with `each`, a list of them), validated by its own rules. ValidateNested
 * alone takes a list where an object belongs, or as an entry, and validates what is inside: `"dropoff": []` passed
 * every rule and reached the database as an order without an address.
 */
export function Nested(type: () => ClassConstructor<object>, options: { each?: boolean } = {}): PropertyDecorator {
  const shape = options.each
    ? ValidateBy({ name: ONLY_OBJECTS, validator: { validate: (value) => firstNonObject(value) < 0, defaultMessage: () => 'must be an object' } })
    : // A missing field is IsDefined's or IsOptional's to judge, as it is ValidateNested's.
      ValidateBy({ name: ONE_OBJECT, validator: { validate: (value) => value === undefined || isObject(value), defaultMessage: () => 'must be an object' } });
  return (target, property) => {
    shape(target, property);
    ValidateNested({ each: options.each, message: 'must be an object' })(target, property);
    Type(type)(target, property);
  };
}
